/**
 * Audit benchmark (not a test): `npm run bench:audit`.
 *
 * Phases (BENCH_ONLY=ingest,query,retention picks some):
 * - ingest: BENCH_EVENTS (100,000) events of a realistic mix (sign-ins, failed sign-ins that run the
 *   detection rules, tokens, sessions, user changes) for BENCH_TENANTS (10) tenants are put on the
 *   Redis Streams first (backlog), then an audit app starts and reads them into the tenants' trails.
 *   Reports events/s from the first stored row to the last, read from the chain heads.
 * - query: one tenant's trail is filled with BENCH_QUERY_ROWS (1,000,000) rows by SQL, then
 *   GET /v1/t/{tenant}/audit/events is called with each filter (and with a cursor) BENCH_QUERIES
 *   times; reports p50/p95/max per filter, measured at the HTTP client.
 * - retention: BENCH_SESSIONS (1,000,000) sessions older than the anonymisation age are inserted,
 *   then the tenant's retention job runs; reports sessions anonymised per second.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { DataSource } from 'typeorm';
import { loadConfig } from '@credence/config';
import { dropDatabase } from '@credence/database';
import { makeEvent, PendingEvent } from '@credence/outbox';
import { RedisStreamsClient } from '@credence/redis-streams-transport';
import { createApp } from '@credence/runtime';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuditAppModule } from '../../apps/audit/src/audit-app.module';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { benchDatabaseServer, benchWorld, cleanRedis, machineBusyTicks, sourceRevision, table, writeResults } from '../shared/bench-kit';
import { queryPhase } from './query-phase';
import { retentionPhase } from './retention-phase';

const int = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const N = int('BENCH_EVENTS', 100_000);
const TENANTS = int('BENCH_TENANTS', 10);
const ONLY = (process.env.BENCH_ONLY ?? 'ingest,query,retention').split(',');
const SERVER_URL = benchDatabaseServer();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
const PASSWORD = 'bench password 0123456789';
const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

export interface BenchTenant {
  id: string;
  slug: string;
  schema: string;
  adminToken: string;
}

export interface BenchContext {
  app: NestFastifyApplication;
  url: string;
  dataSource: DataSource;
  tenants: BenchTenant[];
}

async function call(url: string, method: string, path: string, body?: unknown, token?: string): Promise<any> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

function eventMix(tenant: BenchTenant, i: number, users: string[]): PendingEvent {
  const user = users[i % users.length];
  const origin = { source: 'credence/bench', actor: 'system' };
  const client = {
    ip: `198.51.${(i >> 8) & 255}.${i & 255}`,
    user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0',
    device_type: 'desktop',
    location: 'Berlin, DE',
  };
  const session = randomUUID();
  switch (i % 10) {
    case 0:
    case 1:
      return makeEvent('auth.login.succeeded', tenant.id, `user/${user}`, { user_id: user, session_id: session, auth_method: 'local', ...client }, origin);
    case 2:
      return makeEvent('auth.login.failed', tenant.id, `user/${user}`, { user_id: user, auth_method: 'local', reason: 'invalid_credentials', ...client }, origin);
    case 3:
      return makeEvent(
        'auth.session.created',
        tenant.id,
        `session/${session}`,
        {
          session_id: session,
          user_id: user,
          auth_method: 'local',
          idle_expires_at: new Date().toISOString(),
          absolute_expires_at: new Date().toISOString(),
          ...client,
        },
        origin,
      );
    case 4:
    case 5:
    case 6:
    case 7:
      return makeEvent(
        'auth.token.issued',
        tenant.id,
        `session/${session}`,
        { session_id: session, user_id: user, jti: randomUUID(), expires_at: new Date().toISOString() },
        origin,
      );
    default:
      return makeEvent('user.updated', tenant.id, `user/${user}`, { user_id: user, changed: ['display_name'] }, { ...origin, actor: `user:${user}` });
  }
}

async function ingestPhase(env: Record<string, string>, ctx: BenchContext) {
  const publisher = new RedisStreamsClient({ url: REDIS_URL, prefix: env.REDIS_PREFIX, partitions: 16 });
  const users = Array.from({ length: 1000 }, () => randomUUID());
  const before = Number((await ctx.dataSource.query(`SELECT ${ctx.tenants.map((t) => `(SELECT last_seq FROM "${t.schema}".audit_chain)`).join(' + ')} AS n`))[0].n);
  for (let from = 0; from < N; from += 5000) {
    const batch: PendingEvent[] = [];
    for (let i = from; i < Math.min(N, from + 5000); i++) batch.push(eventMix(ctx.tenants[i % ctx.tenants.length], i, users));
    await publisher.publishBatch(batch.map((e) => ({ pattern: e.envelope.type, key: e.aggregate, data: JSON.stringify(e.envelope) })));
  }
  await publisher.close();

  const { config } = loadConfig({ ...env, AUDIT_INGEST_ENABLED: 'true', EVENTS_RELAY_ENABLED: 'false', EVENTS_RPC_ENABLED: 'false', RETENTION_ENABLED: 'false' });
  const ticks0 = machineBusyTicks();
  const reader = await createApp(config, 'bench-audit-ingest', [AuditAppModule]);
  await reader.init();
  const count = async () =>
    Number((await ctx.dataSource.query(`SELECT ${ctx.tenants.map((t) => `(SELECT last_seq FROM "${t.schema}".audit_chain)`).join(' + ')} AS n`))[0].n) - before;
  let first = 0;
  let stored = 0;
  const deadline = Date.now() + 600_000;
  while (stored < N && Date.now() < deadline) {
    stored = await count();
    if (stored > 0 && !first) first = performance.now();
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - first) / 1000;
  const busy = machineBusyTicks() - ticks0;
  await reader.close();
  return { events: N, stored, seconds: +seconds.toFixed(2), events_per_s: Math.round(stored / seconds), machine_busy_ticks: busy };
}

async function main() {
  const started = new Date();
  const world = await benchWorld('audit', run, SERVER_URL, REDIS_URL);
  const prefix = world.prefix;
  const env: Record<string, string> = { ...world.env, ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', DB_POOL_MAX: '20' };
  let app: NestFastifyApplication | undefined;
  try {
    // The API app: onboarding, sign-in and the read API; it does not ingest (the phases start their own reader).
    const { config } = loadConfig({ ...env, AUDIT_INGEST_ENABLED: 'false', RETENTION_ENABLED: 'false' });
    app = await createApp(config, 'bench-audit', [AuthAppModule, AuditAppModule]);
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const dataSource = app.get(DataSource);
    const tenants: BenchTenant[] = [];
    for (let i = 0; i < TENANTS; i++) {
      const slug = `bench-${run}-${i}`;
      const email = `admin@${slug}.example`;
      await call(url, 'POST', '/v1/admin/tenants', { slug, name: slug, admin: { email, password: PASSWORD } }, env.CREDENCE_ADMIN_KEY);
      const [row] = await dataSource.query('SELECT id, schema_name FROM platform.tenants WHERE slug = $1', [slug]);
      const login = await call(url, 'POST', `/v1/t/${slug}/auth/login`, { email, password: PASSWORD });
      tenants.push({ id: row.id, slug, schema: row.schema_name, adminToken: login.access_token });
    }
    const ctx: BenchContext = { app, url, dataSource, tenants };
    const out: Record<string, unknown> = {
      run,
      when: started.toISOString(),
      source: sourceRevision(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model },
    };
    if (ONLY.includes('ingest')) {
      const r = await ingestPhase(env, ctx);
      out.ingest = r;
      process.stdout.write(`\nIngest (backlog of ${N} events, ${TENANTS} tenants)\n${table(['stored', 'seconds', 'events/s'], [[r.stored, r.seconds, r.events_per_s]])}\n`);
    }
    if (ONLY.includes('query')) out.query = await queryPhase(ctx);
    if (ONLY.includes('retention')) out.retention = await retentionPhase(ctx);
    process.stdout.write(`\nresults: ${writeResults('audit', started, run, out)}\n`);
  } finally {
    await app?.close();
    await cleanRedis(REDIS_URL, prefix);
    if (process.env.BENCH_KEEP_DB !== '1') await dropDatabase(world.databaseUrl);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
