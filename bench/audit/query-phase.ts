import { table } from '../shared/bench-kit';
import type { BenchContext } from './audit.bench';

const ROWS = Number(process.env.BENCH_QUERY_ROWS ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 40);
const DAY = 86_400_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Fills one tenant's trail with ROWS rows over 365 days (a realistic mix: 2,000 users, 5,000
 * addresses, 12 types, 8% failures), ANALYZEs it, then times GET /audit/events per filter, half of
 * the calls on a second page (with the cursor of the first).
 */
export async function queryPhase(ctx: BenchContext): Promise<unknown> {
  const tenant = ctx.tenants[0];
  const s = `"${tenant.schema}"`;
  const t0 = performance.now();
  await ctx.dataSource.query(`
    INSERT INTO ${s}.audit_log (seq, event_id, type, occurred_at, source, actor_type, actor_id, subject, user_id, outcome, severity, ip, user_agent, payload, personal_digest, hash)
    SELECT 1000000000::bigint + g, gen_random_uuid(), (ARRAY['auth.login.succeeded','auth.login.failed','auth.token.issued','auth.token.refreshed','auth.session.created','auth.session.revoked',
              'user.updated','user.created','authz.access.denied','role.updated','auth.token.revoked','auth.otp.requested'])[1 + g % 12],
           now() - (g::float8 / ${ROWS}) * interval '365 days', 'credence/bench', 'user', u::text, 'user/' || u, u,
           CASE WHEN g % 12 = 1 THEN 'failure' WHEN g % 12 = 8 THEN 'denied' ELSE 'success' END,
           CASE WHEN g % 12 IN (1, 8) THEN 'medium' ELSE 'info' END,
           '198.51.' || (g % 5000) / 250 || '.' || (g % 250), 'Mozilla/5.0 (Windows NT 10.0) Chrome/130.0', jsonb_build_object('n', g), '\\x00', '\\x00'
      FROM generate_series(1, ${ROWS}) g
      CROSS JOIN LATERAL (SELECT ('00000000-0000-4000-8000-' || lpad(((g::bigint * 7919) % 2000)::text, 12, '0'))::uuid AS u) x`);
  await ctx.dataSource.query(`ANALYZE ${s}.audit_log`);
  const fillSeconds = (performance.now() - t0) / 1000;

  const user = '00000000-0000-4000-8000-000000000042';
  const month = (i: number) => {
    const to = Date.now() - (i % 11) * 30 * DAY;
    return `from=${new Date(to - 30 * DAY).toISOString()}&to=${new Date(to).toISOString()}`;
  };
  const cases: Record<string, (i: number) => string> = {
    'no filter': () => '',
    'time range (30 days)': month,
    type: () => 'type=auth.login.failed',
    'type prefix auth.*': () => 'type=auth.*',
    actor: () => `actor=${user}`,
    subject: () => `subject=user/${user}`,
    user_id: () => `user_id=${user}`,
    'outcome=failure': () => 'outcome=failure',
    'severity=medium': () => 'severity=medium',
    ip: (i) => `ip=198.51.${i % 20}.${i % 250}`,
    'type + time range': (i) => `type=user.updated&${month(i)}`,
    'user_id + outcome': () => `user_id=${user}&outcome=failure`,
  };
  const headers = { authorization: `Bearer ${tenant.adminToken}` };
  const get = async (qs: string) => {
    const started = performance.now();
    const res = await fetch(`${ctx.url}/v1/t/${tenant.slug}/audit/events?limit=50&${qs}`, { headers });
    const body = (await res.json()) as { data: unknown[]; meta: { next_cursor: string | null } };
    if (res.status !== 200) throw new Error(`${qs} → ${res.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - started, body };
  };
  const results: Record<string, { p50: number; p95: number; max: number; rows_first_page: number }> = {};
  const all: number[] = [];
  for (const [name, qs] of Object.entries(cases)) {
    await get(qs(0)); // warm the plan cache and the pages of this filter once
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < QUERIES; i++) {
      const first = await get(qs(i));
      rows = first.body.data.length;
      if (i % 2 === 1 && first.body.meta.next_cursor) times.push((await get(`${qs(i)}&cursor=${encodeURIComponent(first.body.meta.next_cursor)}`)).ms);
      else times.push(first.ms);
    }
    times.sort((a, b) => a - b);
    all.push(...times);
    results[name] = { p50: +percentile(times, 50).toFixed(1), p95: +percentile(times, 95).toFixed(1), max: +times[times.length - 1].toFixed(1), rows_first_page: rows };
  }
  all.sort((a, b) => a - b);
  const overall = { p50: +percentile(all, 50).toFixed(1), p95: +percentile(all, 95).toFixed(1), max: +all[all.length - 1].toFixed(1) };
  process.stdout.write(`\nQuery: GET /audit/events on ${ROWS} rows (filled in ${fillSeconds.toFixed(1)} s), ${QUERIES} calls per filter, ms at the client\n`);
  process.stdout.write(
    `${table(['filter', 'p50', 'p95', 'max', 'rows'], [...Object.entries(results).map(([k, v]) => [k, v.p50, v.p95, v.max, v.rows_first_page]), ['ALL', overall.p50, overall.p95, overall.max, '']])}\n`,
  );
  return { rows: ROWS, fill_seconds: +fillSeconds.toFixed(1), per_filter: results, overall };
}
