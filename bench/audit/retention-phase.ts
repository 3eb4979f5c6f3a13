import { randomUUID } from 'node:crypto';
import { TenantRetention } from '@credence/audit';
import { table } from '../shared/bench-kit';
import type { BenchContext } from './audit.bench';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1_000_000);
const DAY = 86_400_000;

/**
 * Inserts SESSIONS sessions last seen from 200 days ago on, one second apart in the order they are
 * inserted, as a session table fills over time (all past the 180-day anonymisation age, short of
 * the 365-day deletion age), with realistic client data (40 browser versions, distinct addresses), then
 * runs the tenant's retention job in this process and times it: sessions anonymised per second.
 */
export async function retentionPhase(ctx: BenchContext): Promise<unknown> {
  const tenant = ctx.tenants[ctx.tenants.length - 1];
  const s = `"${tenant.schema}"`;
  const [user] = await ctx.dataSource.query(`SELECT id FROM ${s}.users LIMIT 1`);
  const seen = new Date(Date.now() - 200 * DAY);
  const t0 = performance.now();
  await ctx.dataSource.query(
    `INSERT INTO ${s}.auth_sessions (id, user_id, auth_method, ip, user_agent, device_type, location, status, created_at, last_seen_at, idle_expires_at, absolute_expires_at)
     SELECT gen_random_uuid(), $1, 'local', '10.' || (i / 65536) || '.' || (i / 256 % 256) || '.' || (i % 256),
            'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/' || (100 + i % 40) || '.0.0.0 Safari/537.36',
            'desktop', 'Berlin, DE', 'expired', t, t, t, t
       FROM generate_series(1, $3) i, LATERAL (SELECT $2::timestamptz + i * interval '1 second' AS t) o`,
    [user.id, seen, SESSIONS],
  );
  await ctx.dataSource.query(`ANALYZE ${s}.auth_sessions`);
  const fillSeconds = (performance.now() - t0) / 1000;

  const retention = ctx.app.get(TenantRetention, { strict: false });
  const [wal] = await ctx.dataSource.query(`SELECT pg_current_wal_lsn()::text AS lsn`);
  const started = performance.now();
  const outcome = await retention.run(`bench-${randomUUID()}`, tenant.id, new Date());
  const seconds = (performance.now() - started) / 1000;
  const [{ n }] = await ctx.dataSource.query(`SELECT count(*)::int AS n FROM ${s}.auth_sessions WHERE anonymised_at IS NOT NULL`);
  const [sample] = await ctx.dataSource.query(`SELECT ip, user_agent, location FROM ${s}.auth_sessions WHERE anonymised_at IS NOT NULL LIMIT 1`);
  const perSecond = Math.round(n / seconds);
  // How the updates were written: in place on the page (HOT) or as new index entries, and the WAL they cost.
  const [cost] = await ctx.dataSource.query(
    `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint AS wal,
            (SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE schemaname = $2 AND relname = 'auth_sessions') AS hot`,
    [wal.lsn, tenant.schema],
  );
  const hotShare = +(Number(cost.hot) / Math.max(1, n)).toFixed(2);
  const walMb = Math.round(Number(cost.wal) / 1_048_576);
  process.stdout.write(`\nRetention: ${SESSIONS} sessions past the anonymisation age (filled in ${fillSeconds.toFixed(1)} s)\n`);
  process.stdout.write(`${table(['anonymised', 'seconds', 'rows/s', 'HOT share', 'WAL MB', 'outcome'], [[n, +seconds.toFixed(2), perSecond, hotShare, walMb, outcome]])}\n`);
  process.stdout.write(`sample after: ${JSON.stringify(sample)}\n`);
  return { sessions: SESSIONS, anonymised: n, seconds: +seconds.toFixed(2), rows_per_s: perSecond, hot_share: hotShare, wal_mb: walMb, outcome, sample };
}
