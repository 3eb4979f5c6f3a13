/** Runs one SQL statement in the caller's transaction and resolves to its rows (a UnitOfWork's query). */
export type SqlQuery = <T = unknown>(sql: string, params?: unknown[]) => Promise<T>;

/**
 * Deletes up to `limit` outbox rows that were written and sent more than `keepSeconds` before
 * `asOf`, oldest first, skipping rows the relay holds. Resolves to how many. The retention
 * platform job calls it batch after batch, one transaction each.
 */
export async function purgeSentOutboxRows(query: SqlQuery, o: { asOf: Date; keepSeconds: number; limit: number }): Promise<number> {
  const [row] = await query<{ n: number }[]>(
    `WITH gone AS (
       DELETE FROM platform.outbox WHERE position IN (
         SELECT position FROM platform.outbox
          WHERE created_at < $1::timestamptz - make_interval(secs => $2) AND published_at < $1::timestamptz - make_interval(secs => $2)
          ORDER BY position LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [o.asOf, o.keepSeconds, o.limit],
  );
  return row?.n ?? 0;
}
