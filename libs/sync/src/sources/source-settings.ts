export type ConflictStrategy = 'source_wins' | 'timestamp' | 'manual';

export interface SourceSettings {
  source: string;
  conflict_strategy: ConflictStrategy;
  timestamp_tolerance_ms: number;
  max_disable_share: number;
}

/** What a source nobody configured gets. */
export const defaultSettings = (source: string): SourceSettings => ({
  source,
  conflict_strategy: 'source_wins',
  timestamp_tolerance_ms: 5000,
  max_disable_share: 0.2,
});

/** A source name: what `source` and the `{source}` path segment accept. */
export const SOURCE_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

export const SOURCE_SELECT = `SELECT source, conflict_strategy, timestamp_tolerance_ms, max_disable_share::float8 AS max_disable_share FROM sync_sources`;
