/**
 * Sync API benchmark (not a test): `npm run bench:sync`.
 *
 * One tenant; a `full` batch of BENCH_USERS (10,000) new users is sent to POST /sync/users and timed
 * from the request to the run's `completed` (polled every 50 ms); then the same batch again as an
 * `incremental` run, which must change nothing. For each run: seconds, the worker's own duration,
 * and the Postgres statements and Redis commands the whole process sent meanwhile (countRoundTrips).
 * The API and the worker share one process, as under `npm start`. Also per run: the POST's own time, the
 * wait in the queue, CPU ms of this process, of the database's Postgres backends and of Redis (shared),
 * and the load average at its end. BENCH_PROFILE=1 writes a CPU profile of each run (bench/results). Aims (issue 15): full ≤ 30 s,
 * unchanged incremental ≤ 2 s. On a shared machine the figures are rough.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { loadConfig } from '@credence/config';
import { dropDatabase } from '@credence/database';
import { createApp } from '@credence/runtime';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { SyncAppModule } from '../../apps/sync/src/sync-app.module';
import { benchWorld, cleanRedis, countRoundTrips, machineBusyTicks, sent, sourceRevision, table, writeResults, peerCpu, profileWindow } from '../shared/bench-kit';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const SERVER_URL = process.env.BENCH_SERVER_URL ?? 'postgres://postgres@localhost:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
const PASSWORD = 'bench password 0123456789';
const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

async function call(url: string, method: string, path: string, body: unknown, token?: string) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const users = Array.from({ length: USERS }, (_, i) => ({
  external_id: `emp-${i}`,
  username: `emp${i}`,
  email: `emp${i}@bench.example`,
  status: 'active',
  given_name: `Given${i}`,
  family_name: `Family${i}`,
  attributes: { department: `dept-${i % 40}`, cost_centre: `cc-${i % 200}` },
  groups: [`team-${i % 100}`],
  updated_at: '2026-03-01T09:00:00Z',
}));

async function timedRun(url: string, slug: string, token: string, mode: 'full' | 'incremental', databaseUrl: string) {
  const cpu = await peerCpu(databaseUrl, REDIS_URL);
  const before = { pg: sent.pg, redis: sent.redis, busy: machineBusyTicks() };
  const stopProfile = profileWindow(`sync-${run}-${mode}`);
  const t0 = performance.now();
  const { sync_id } = await call(url, 'POST', `/v1/t/${slug}/sync/users`, { source: 'hr', mode, users }, token);
  const postMs = performance.now() - t0;
  for (;;) {
    const r = await call(url, 'GET', `/v1/t/${slug}/sync/runs/${sync_id}`, undefined, token);
    if (r.status !== 'started') {
      const seconds = (performance.now() - t0) / 1000;
      const used = cpu.stop();
      const profile = await stopProfile();
      if (profile) process.stdout.write(`CPU profile of the ${mode} run: ${profile}\n`);
      return {
        mode,
        status: r.status,
        created: r.created,
        unchanged: r.unchanged,
        failed: r.failed,
        seconds: +seconds.toFixed(2),
        post_ms: Math.round(postMs),
        queue_ms: Date.parse(r.timings.started_at) - Date.parse(r.timings.queued_at),
        worker_ms: r.timings.duration_ms,
        node_cpu_ms: used.node,
        postgres_cpu_ms: used.postgres,
        redis_cpu_ms: used.redis,
        loadavg_end: loadavg().map((x) => +x.toFixed(2)),
        pg_statements: sent.pg - before.pg,
        redis_commands: sent.redis - before.redis,
        machine_busy_ticks: machineBusyTicks() - before.busy,
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main() {
  const started = new Date();
  const world = await benchWorld('sync', run, SERVER_URL, REDIS_URL);
  const env: Record<string, string> = { ...world.env, ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', DB_POOL_MAX: '20' };
  let app: NestFastifyApplication | undefined;
  try {
    countRoundTrips();
    const { config } = loadConfig(env);
    app = await createApp(config, 'bench-sync', [AuthAppModule, SyncAppModule]);
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const slug = `bench-${run}`;
    const email = `admin@${slug}.example`;
    await call(url, 'POST', '/v1/admin/tenants', { slug, name: slug, admin: { email, password: PASSWORD } }, env.CREDENCE_ADMIN_KEY);
    const { access_token } = await call(url, 'POST', `/v1/t/${slug}/auth/login`, { email, password: PASSWORD });
    const full = await timedRun(url, slug, access_token, 'full', world.databaseUrl);
    const again = await timedRun(url, slug, access_token, 'incremental', world.databaseUrl);
    const rows = [full, again].map((r) => [
      r.mode,
      r.status,
      r.created,
      r.unchanged,
      r.seconds,
      r.post_ms,
      r.queue_ms,
      r.worker_ms,
      r.pg_statements,
      r.redis_commands,
      r.node_cpu_ms,
      r.postgres_cpu_ms,
      r.redis_cpu_ms,
      r.loadavg_end.join(' '),
    ]);
    process.stdout.write(
      `\nSync API, ${USERS} users (rough: one shared machine)\n${table(
        [
          'run',
          'status',
          'created',
          'unchanged',
          'seconds',
          'POST ms',
          'queued ms',
          'worker ms',
          'pg statements',
          'redis cmds',
          'Node CPU ms',
          'Postgres CPU ms',
          'Redis CPU ms',
          'load at end',
        ],
        rows,
      )}\n`,
    );
    const out = { run, when: started.toISOString(), source: sourceRevision(), machine: { cpus: cpus().length, model: cpus()[0]?.model }, users: USERS, full, again };
    process.stdout.write(`\nresults: ${writeResults('sync', started, run, out)}\n`);
  } finally {
    await app?.close();
    await cleanRedis(REDIS_URL, world.prefix);
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
