export interface ConflictRow {
  id: string;
  source: string;
  external_id: string;
  user_id: string;
  field: string;
  source_value: unknown;
  credence_value: unknown;
  source_updated_at: Date | null;
  status: 'open' | 'resolved';
  resolution: 'source' | 'credence' | 'merged' | null;
  resolved_by: string | null;
  created_at: Date;
  resolved_at: Date | null;
}

export const CONFLICT_SELECT = `SELECT id, source, external_id, user_id, field, source_value, credence_value, source_updated_at, status, resolution, resolved_by, created_at, resolved_at FROM sync_conflicts`;

export const conflictResponse = (c: ConflictRow) => ({
  ...c,
  source_updated_at: c.source_updated_at?.toISOString() ?? null,
  created_at: c.created_at.toISOString(),
  resolved_at: c.resolved_at?.toISOString() ?? null,
});
