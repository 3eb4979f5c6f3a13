import type { UnitOfWork } from '@credence/tenancy';
import type { Candidate, CountProbe, TravelProbe } from './detection-rules';

/** Country of a stated location in SQL, the same rule as countryOf(): last comma-separated part, trimmed, upper-cased. */
const COUNTRY_SQL = `upper(left(btrim(reverse(split_part(reverse(a.location), ',', 1))), 64))`;

/**
 * Runs every probe of one kind in one statement (one row per probe, in order), so detection costs
 * a few round trips per batch rather than a few per record.
 */
/**
 * For each probe: the most events of its kind in any window of `windowSeconds` that contains the
 * probe's own event. Events may arrive out of time order (partitions are read side by side), so
 * windows ending after the event count too: a window starting at each stored event in
 * [t - W, t] is tried, which finds the best one.
 */
export async function runCountProbes(uow: UnitOfWork, column: 'user_id' | 'ip', windowSeconds: number, probes: CountProbe[]): Promise<{ n: number; accounts: number }[]> {
  if (!probes.length) return [];
  const rows = await uow.query<{ i: string; n: string | null; accounts: string }[]>(
    `SELECT e.i, c.n, c.accounts
       FROM unnest($1::text[], $2::text[], $3::timestamptz[]) WITH ORDINALITY AS e(value, type, at, i)
       CROSS JOIN LATERAL (
         SELECT max(w.n) FILTER (WHERE w.occurred_at <= e.at AND w.occurred_at >= e.at - $4::interval) AS n, count(DISTINCT w.user_id) AS accounts
           FROM (
             SELECT a.occurred_at, a.user_id, count(*) OVER (ORDER BY a.occurred_at RANGE BETWEEN CURRENT ROW AND $4::interval FOLLOWING) AS n
               FROM audit_log a
              -- (type || '') keeps the planner on the (${column}, occurred_at) index: one account's or address's
              -- events are few, while the type index would walk every failed login of the tenant in the window.
              WHERE a.${column} = e.value${column === 'user_id' ? '::uuid' : ''} AND (a.type || '') = e.type
                AND a.occurred_at >= e.at - $4::interval AND a.occurred_at <= e.at + $4::interval
           ) w
       ) c ORDER BY e.i`,
    [probes.map((p) => p.value), probes.map((p) => p.type), probes.map((p) => p.at), `${windowSeconds} seconds`],
  );
  return rows.map((r) => ({ n: Number(r.n ?? 0), accounts: Number(r.accounts) }));
}

export async function runTravelProbes(uow: UnitOfWork, probes: TravelProbe[]): Promise<({ location: string; occurred_at: Date } | null)[]> {
  if (!probes.length) return [];
  const rows = await uow.query<{ i: string; location: string | null; occurred_at: Date | null }[]>(
    `SELECT e.i, o.location, o.occurred_at
       FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[]) WITH ORDINALITY AS e(user_id, country, since, until, i)
       LEFT JOIN LATERAL (
         SELECT a.location, a.occurred_at FROM audit_log a
          WHERE a.user_id = e.user_id AND a.type = 'auth.login.succeeded' AND a.location IS NOT NULL
            AND a.occurred_at >= e.since AND a.occurred_at <= e.until
            AND ${COUNTRY_SQL} <> '' AND ${COUNTRY_SQL} <> e.country
          ORDER BY a.occurred_at DESC LIMIT 1
       ) o ON true ORDER BY e.i`,
    [probes.map((p) => p.userId), probes.map((p) => p.country), probes.map((p) => p.since), probes.map((p) => p.until)],
  );
  return rows.map((r) => (r.location && r.occurred_at ? { location: r.location, occurred_at: r.occurred_at } : null));
}

/** The latest incident per (rule, key) among the candidates' rules and keys, as epoch ms. */
export async function latestIncidents(uow: UnitOfWork, candidates: Candidate[]): Promise<Map<string, number>> {
  const latest = new Map<string, number>();
  if (!candidates.length) return latest;
  const rows = await uow.query<{ rule: string; key: string; at: Date }[]>(
    `SELECT rule, key, max(detected_at) AS at FROM audit_incidents
      WHERE (rule, key) IN (SELECT * FROM unnest($1::text[], $2::text[])) GROUP BY rule, key`,
    [candidates.map((c) => c.rule), candidates.map((c) => c.key)],
  );
  for (const r of rows) latest.set(`${r.rule}\u0000${r.key}`, r.at.getTime());
  return latest;
}
