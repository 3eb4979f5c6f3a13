/**
 * SCIM user creation benchmark (not a test): `npm run bench:scim`. Issue 15, item 7 (SCIM part).
 *
 * Starts the real auth and sync apps in-process (createApp, as bench/ldap) on their own database and
 * Redis prefix, with one tenant and one SCIM directory. Then, RUNS times, CONCURRENCY closed loops
 * for SECONDS each send Entra ID's create request, `POST /v1/t/{tenant}/scim/v2/Users` with a fresh
 * userName (token lookup, userName check, CreateUserCommand through the user actor with its
 * user.created event, the directory link, the resource read back). Prints creates/s, p50/p99, CPU
 * per create (see below) and SQL statements / Redis commands per create. The load runs in this process
 * (fetch), so the figure also pays for the client. Target (issue): >= 300 creates/s.
 *
 * Knobs (environment): BENCH_SECONDS (10), BENCH_RUNS (2), BENCH_CONCURRENCY (16), BENCH_DATABASE_URL (BENCH_SERVER_URL, its old name, is still read),
 * REDIS_URL, BENCH_KEEP_DB=1, BENCH_TRACE=1 (each statement and Redis command per create), BENCH_PROFILE=1
 * (a CPU profile of each measured window, bench/results). CPU per create is also split by process: this one, the
 * Postgres backends of the bench's database, and the Redis server (shared with anything else running);
 * 2000 / their sum is what a quiet 2-core machine would carry if nothing else ran on it.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@credence/config';
import { dropDatabase, ensureDatabase } from '@credence/database';
import { createApp } from '@credence/runtime';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { SyncAppModule } from '../../apps/sync/src/sync-app.module';
import { median, round, sleep, Window, Workload } from '../auth/shared';
import {
  benchDatabaseServer,
  cleanRedis,
  countRoundTrips,
  peerCpu,
  profileWindow,
  sent,
  sourceRevision,
  table,
  traceReport,
  writeResults,
  SPARE_POOL_OFF,
} from '../shared/bench-kit';

const int = (name: string, fallback: number) => {
  const n = process.env[name] ? Number(process.env[name]) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
};
const SECONDS = int('BENCH_SECONDS', 10);
const RUNS = int('BENCH_RUNS', 2);
const CONCURRENCY = int('BENCH_CONCURRENCY', 16);
const KEEP_DB = process.env.BENCH_KEEP_DB === '1';
const SERVER_URL = benchDatabaseServer();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
const WARM_S = 2;
const TARGET = 300;
const ADMIN_KEY = `crd_bench_${randomBytes(24).toString('base64url')}`;
const PASSWORD = `bench ${randomBytes(9).toString('base64url')} staple`;
const log = (line: string) => process.stdout.write(`${line}\n`);

async function call<T = any>(url: string, method: string, path: string, body: unknown, auth?: string): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(auth ? { authorization: auth } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 400)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function fixtures(url: string, runId: string): Promise<{ slug: string; token: string }> {
  const slug = `bench-scim-${runId.slice(-6)}`;
  const admin = `admin@${slug}.example`;
  await call(url, 'POST', '/v1/admin/tenants', { slug, name: 'SCIM bench', admin: { email: admin, password: PASSWORD } }, `Bearer ${ADMIN_KEY}`);
  const { access_token } = await call<{ access_token: string }>(url, 'POST', `/v1/t/${slug}/auth/login`, { email: admin, password: PASSWORD });
  const directory = await call<{ token: string }>(url, 'POST', `/v1/t/${slug}/directories`, { name: 'Bench IdP' }, `Bearer ${access_token}`);
  return { slug, token: directory.token };
}

interface PerOp {
  pg: number;
  redis: number;
  /** CPU ms per create: this process (server and client), the database's Postgres backends, the Redis server (shared). */
  cpu_ms: number;
  pg_cpu_ms: number;
  redis_cpu_ms: number;
}

async function measure(fn: (seq: number, loop: number) => Promise<void>, databaseUrl: string, name: string): Promise<{ window: Window; per_op: PerOp }> {
  const w = new Workload(fn);
  w.start(CONCURRENCY);
  await sleep(WARM_S * 1000);
  const cpu = await peerCpu(databaseUrl, REDIS_URL);
  const stopProfile = profileWindow(name);
  w.snapshot();
  const from = { ...sent };
  traceReport(1);
  await sleep(SECONDS * 1000);
  const window = w.snapshot();
  const to = { ...sent };
  const used = cpu.stop();
  const ops = Math.max(1, window.ok);
  if (process.env.BENCH_TRACE === '1') log(`statements and commands per create (BENCH_TRACE):\n${traceReport(ops)}`);
  const profile = await stopProfile();
  if (profile) log(`CPU profile of the window: ${profile}`);
  await w.stop();
  return {
    window,
    per_op: {
      pg: round((to.pg - from.pg) / ops, 2),
      redis: round((to.redis - from.redis) / ops, 2),
      cpu_ms: round((window.cpu_s * 1000) / ops, 3),
      pg_cpu_ms: round(used.postgres / ops, 3),
      redis_cpu_ms: round(used.redis / ops, 3),
    },
  };
}

async function main(): Promise<void> {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const server = new URL(SERVER_URL);
  server.pathname = `/credence_bench_scim_${runId}`;
  const databaseUrl = server.toString();
  const redisPrefix = `credence-bench-scim-${runId.replace(/_/g, '-')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'credence-bench-scim-'));
  const started = new Date();
  const load = [loadavg().map((x) => round(x, 2))];
  const { config } = loadConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    CREDENCE_DATA_DIR: dataDir,
    CREDENCE_ADMIN_KEY: ADMIN_KEY,
    CREDENCE_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...SPARE_POOL_OFF,
    CREDENCE_BASE_URL: 'http://credence.bench',
    LOGIN_IP_LIMIT_PER_MINUTE: '100000000',
    LOG_LEVEL: 'silent',
  });
  log(`credence scim bench ${runId}: ${RUNS} runs of ${SECONDS} s windows after ${WARM_S} s warm-up, ${CONCURRENCY} loops; load ${load[0].join(' ')}`);

  countRoundTrips();
  await ensureDatabase(databaseUrl);
  let app: NestFastifyApplication | undefined;
  try {
    app = await createApp(config, 'bench', [AuthAppModule, SyncAppModule]);
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const { slug, token } = await fixtures(url, runId);
    let n = 0;
    const create = async () => {
      n += 1;
      const userName = `user${n}-${runId}@bench.example`;
      const res = await fetch(`${url}/v1/t/${slug}/scim/v2/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          externalId: `ext-${n}`,
          userName,
          active: true,
          emails: [{ primary: true, type: 'work', value: userName }],
          name: { givenName: 'Bench', familyName: `User ${n}` },
        }),
      });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`HTTP ${res.status}`);
    };

    const runs: (Awaited<ReturnType<typeof measure>> & { loadavg_end: number[] })[] = [];
    for (let r = 0; r < RUNS; r += 1) {
      const m = await measure(create, databaseUrl, `scim-${runId}-run${r + 1}`);
      const lavg = loadavg().map((x) => round(x, 2));
      log(
        `run ${r + 1}: ${m.window.per_s} creates/s (p50 ${m.window.p50_ms} ms, p99 ${m.window.p99_ms} ms, errors ${m.window.errors}); per create ${m.per_op.pg} SQL statements + ${m.per_op.redis} Redis commands; CPU ms per create: this process ${m.per_op.cpu_ms}, Postgres backends ${m.per_op.pg_cpu_ms}, Redis ${m.per_op.redis_cpu_ms}; load ${lavg.join(' ')}`,
      );
      runs.push({ ...m, loadavg_end: lavg });
    }
    load.push(loadavg().map((x) => round(x, 2)));
    const per = round(median(runs.map((r) => r.window.per_s)), 1);
    const quiet = round(median(runs.map((r) => 2000 / (r.per_op.cpu_ms + r.per_op.pg_cpu_ms + r.per_op.redis_cpu_ms))), 0);
    log(
      `\n${table(
        ['figure', 'value (median)', 'target'],
        [
          ['SCIM user creates /s', per, `>= ${TARGET} ${per >= TARGET ? 'MET' : 'MISSED'}`],
          ['  p50 / p99 ms', `${round(median(runs.map((r) => r.window.p50_ms)), 1)} / ${round(median(runs.map((r) => r.window.p99_ms)), 1)}`, '-'],
          ['  SQL statements per create', round(median(runs.map((r) => r.per_op.pg)), 2), '-'],
          ['  Redis commands per create', round(median(runs.map((r) => r.per_op.redis)), 2), '-'],
          ['  CPU ms per create: this process', round(median(runs.map((r) => r.per_op.cpu_ms)), 2), '-'],
          ['  CPU ms per create: Postgres backends', round(median(runs.map((r) => r.per_op.pg_cpu_ms)), 2), '-'],
          ['  CPU ms per create: Redis (shared)', round(median(runs.map((r) => r.per_op.redis_cpu_ms)), 2), '-'],
          ['  creates/s one quiet 2-core machine carries (2000 / CPU ms)', quiet, '-'],
        ],
      )}\nload average at start ${load[0].join(' ')}, at end ${load[1].join(' ')}`,
    );
    const file = writeResults('scim', started, runId, {
      run_id: runId,
      source: sourceRevision(),
      started_at: started.toISOString(),
      machine: { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', ram_gib: round(totalmem() / 2 ** 30, 1), node: process.version },
      loadavg_start_end: load,
      knobs: { SECONDS, WARM_S, RUNS, CONCURRENCY },
      runs,
    });
    log(`raw figures: ${file}`);
  } finally {
    if (app) await app.close().catch((err) => log(`app close failed: ${err}`));
    if (!KEEP_DB) await dropDatabase(databaseUrl).catch((err) => log(`drop database failed: ${err}`));
    await cleanRedis(REDIS_URL, redisPrefix).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`scim bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
