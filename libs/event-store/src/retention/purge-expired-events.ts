import { Client } from 'pg';

const BATCH = 10_000;

/**
 * Drops events past their tenant's retention: `settings.event_retention_days` of the tenant, or the
 * platform default. Bounded batches, oldest first; the BRIN index on stored_at finds them.
 */
export async function purgeExpiredEvents(client: Client, defaultDays: number): Promise<number> {
  let total = 0;
  for (;;) {
    const res = await client.query(
      `DELETE FROM platform.event_store WHERE seq IN (
         SELECT e.seq FROM platform.event_store e
         LEFT JOIN platform.tenants t ON t.id::text = e.tenant_id
         WHERE e.stored_at < now() - make_interval(days => LEAST($1::int, COALESCE((SELECT min((settings->>'event_retention_days')::int) FROM platform.tenants WHERE settings ? 'event_retention_days'), $1::int)))
           AND e.stored_at < now() - make_interval(days => COALESCE((t.settings->>'event_retention_days')::int, $1::int))
         ORDER BY e.seq LIMIT ${BATCH})`,
      [defaultDays],
    );
    total += res.rowCount ?? 0;
    if ((res.rowCount ?? 0) < BATCH) return total;
  }
}
