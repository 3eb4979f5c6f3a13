/** Runs one SQL statement in the caller's transaction and resolves to its rows (a UnitOfWork's query). */
type SqlQuery = <T = unknown>(sql: string, params?: unknown[]) => Promise<T>;

/**
 * Deletes up to `limit` events past their tenant's retention at `asOf`: the tenant's own
 * `event_retention_days` (`overrides`, read from the tenant registry), or the platform default.
 * Oldest first; the BRIN index on stored_at finds them (the first condition, the shortest retention
 * of any tenant, is what lets it). Resolves to how many. The retention platform job calls it batch
 * after batch, one transaction each.
 */
export async function purgeExpiredEvents(
  query: SqlQuery,
  o: { asOf: Date; defaultDays: number; limit: number; overrides: { tenantIds: string[]; values: number[] } },
): Promise<number> {
  const [row] = await query<{ n: number }[]>(
    `WITH own AS (SELECT * FROM unnest($4::text[], $5::int[]) AS o(tenant_id, days)),
     gone AS (
       DELETE FROM platform.event_store WHERE seq IN (
         SELECT e.seq FROM platform.event_store e
         LEFT JOIN own t ON t.tenant_id = e.tenant_id
         WHERE e.stored_at < $1::timestamptz - make_interval(days => LEAST($2::int, COALESCE((SELECT min(days) FROM own), $2::int)))
           AND e.stored_at < $1::timestamptz - make_interval(days => COALESCE(t.days, $2::int))
         ORDER BY e.seq LIMIT $3)
       RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [o.asOf, o.defaultDays, o.limit, o.overrides.tenantIds, o.overrides.values],
  );
  return row?.n ?? 0;
}
