/** Runs one SQL statement in the caller's transaction and resolves to its rows (a UnitOfWork's query). */
type SqlQuery = <T = unknown>(sql: string, params?: unknown[]) => Promise<T>;

/**
 * Deletes up to `limit` events past their tenant's retention at `asOf`: `settings.event_retention_days`
 * of the tenant, or the platform default. Oldest first; the BRIN index on stored_at finds them (the
 * first condition, the shortest retention of any tenant, is what lets it). Resolves to how many.
 * The retention platform job calls it batch after batch, one transaction each.
 */
export async function purgeExpiredEvents(query: SqlQuery, o: { asOf: Date; defaultDays: number; limit: number }): Promise<number> {
  const [row] = await query<{ n: number }[]>(
    `WITH gone AS (
       DELETE FROM platform.event_store WHERE seq IN (
         SELECT e.seq FROM platform.event_store e
         LEFT JOIN platform.tenants t ON t.id::text = e.tenant_id
         WHERE e.stored_at < $1::timestamptz - make_interval(days => LEAST($2::int, COALESCE((SELECT min((settings->>'event_retention_days')::int) FROM platform.tenants WHERE settings ? 'event_retention_days'), $2::int)))
           AND e.stored_at < $1::timestamptz - make_interval(days => COALESCE((t.settings->>'event_retention_days')::int, $2::int))
         ORDER BY e.seq LIMIT $3)
       RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [o.asOf, o.defaultDays, o.limit],
  );
  return row?.n ?? 0;
}
