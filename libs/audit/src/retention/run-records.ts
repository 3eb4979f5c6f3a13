import type { UnitOfWork } from '@credence/tenancy';

export type RunStatus = 'running' | 'completed' | 'failed';

/**
 * platform.retention_runs: one row per (tenant, run). Counts are added by the same transaction as
 * the batch they count, so after a crash they still say exactly what was done.
 */
export const runRecords = {
  /** Creates the row (or takes over a failed one on retry); resolves to its status. */
  async begin(uow: UnitOfWork, runId: string, tenantId: string, rules: readonly string[]): Promise<RunStatus> {
    const zero = JSON.stringify(Object.fromEntries(rules.map((r) => [r, 0])));
    await uow.query(
      `INSERT INTO platform.retention_runs (run_id, tenant_id, status, counts) VALUES ($1, $2, 'running', $3::jsonb)
       ON CONFLICT (tenant_id, run_id) DO UPDATE SET status = 'running', error = NULL, finished_at = NULL
        WHERE platform.retention_runs.status = 'failed'`,
      [runId, tenantId, zero],
    );
    const [row] = await uow.query<{ status: RunStatus }[]>(`SELECT status FROM platform.retention_runs WHERE tenant_id = $1 AND run_id = $2`, [tenantId, runId]);
    return row.status;
  },

  async add(uow: UnitOfWork, runId: string, tenantId: string, rule: string, n: number): Promise<void> {
    await uow.query(
      `UPDATE platform.retention_runs SET counts = counts || jsonb_build_object($3::text, COALESCE((counts->>$3)::bigint, 0) + $4)
        WHERE tenant_id = $1 AND run_id = $2`,
      [tenantId, runId, rule, n],
    );
  },

  /** Marks the run completed; resolves to its counts and duration, or undefined when it already was. */
  async complete(uow: UnitOfWork, runId: string, tenantId: string): Promise<{ counts: Record<string, number>; duration_ms: number } | undefined> {
    const [row] = await uow.query<{ counts: Record<string, number>; duration_ms: number }[]>(
      `UPDATE platform.retention_runs SET status = 'completed', finished_at = now(), error = NULL
        WHERE tenant_id = $1 AND run_id = $2 AND status <> 'completed'
       RETURNING counts, (extract(epoch FROM now() - started_at) * 1000)::int AS duration_ms`,
      [tenantId, runId],
    );
    return row;
  },

  async fail(uow: UnitOfWork, runId: string, tenantId: string, error: string): Promise<void> {
    await uow.query(`UPDATE platform.retention_runs SET status = 'failed', finished_at = now(), error = $3 WHERE tenant_id = $1 AND run_id = $2 AND status = 'running'`, [
      tenantId,
      runId,
      error.slice(0, 1000),
    ]);
  },
};
