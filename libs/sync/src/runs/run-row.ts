import type { RunCounts, RunError } from './process-run/run-tally';

export interface RunRow {
  id: string;
  source: string;
  mode: 'full' | 'incremental';
  force: boolean;
  status: 'started' | 'completed' | 'failed';
  counts: Partial<RunCounts> & { received?: number };
  errors: RunError[];
  failure: { code: string; message: string } | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  /** LDAP runs: phase, pages and entries read so far. */
  progress: Record<string, unknown> | null;
}

export const RUN_COLUMNS = `id, source, mode, force, status, counts, errors, failure, created_at, started_at, completed_at, progress`;

/** A run as GET /sync/runs/{id} shows it; the list leaves out `errors`. */
export function runResponse(r: RunRow, withErrors = true) {
  const c = r.counts ?? {};
  return {
    sync_id: r.id,
    source: r.source,
    mode: r.mode,
    force: r.force,
    status: r.status,
    received: c.received ?? 0,
    processed: c.processed ?? 0,
    failed: c.failed ?? 0,
    created: c.created ?? 0,
    updated: c.updated ?? 0,
    unchanged: c.unchanged ?? 0,
    disabled: c.disabled ?? 0,
    conflicts: c.conflicts ?? 0,
    ...(withErrors ? { errors: r.errors } : { error_count: r.errors.length }),
    failure: r.failure,
    ...(r.progress ? { progress: r.progress } : {}),
    timings: {
      queued_at: r.created_at.toISOString(),
      started_at: r.started_at?.toISOString() ?? null,
      completed_at: r.completed_at?.toISOString() ?? null,
      duration_ms: r.started_at && r.completed_at ? r.completed_at.getTime() - r.started_at.getTime() : null,
    },
  };
}
