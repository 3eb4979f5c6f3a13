/**
 * Auth benchmark (not a test): `npm run bench:auth`.
 *
 * Starts the real auth app in-process (createApp from @credence/runtime) on its own database and
 * Redis prefix, with the production argon2id settings (m=19456 KiB, t=2, p=1, ARGON2_MAX_CONCURRENCY
 * at its default), onboards one tenant with users and a service credential, and measures:
 *   1. token checks: TokenVerifier.verify (signature, claims and the Redis revocation check) called
 *      in-process on real access tokens issued by login: closed loops alone (throughput, p50/p99), at
 *      a paced rate (latency), in one process per CPU (whole machine), and again in this process while
 *      password logins run flat out over HTTP against it;
 *   2. introspection over HTTP (RFC 7662, HTTP Basic service credential, valid token) with autocannon;
 *   3. refreshes over HTTP: N independent session chains, each refresh presenting the newly returned token;
 *   2f, 3f. the same load clients against issue 14's floor (floor-server.ts: bare node:http, one ES256
 *      verify + one Redis MGET per introspection, one ES256 sign + one single-statement transaction per
 *      refresh) in this process, on the same database and Redis, reported as Credence ÷ floor;
 *   4. password logins over HTTP next to bare argon2id hashes (PasswordHasher.hash, same parameters,
 *      same concurrency cap) on the same machine, alternated to share the machine's noise; the CPU per
 *      login split into its hash and the rest, and the ratio projected with a core to spare (login-cpu.ts).
 * Load generators run in child processes (load-client.ts), never on the app's event loop; the CPU
 * of every party (app, clients, Postgres backends, Redis, everyone else) is read from /proc.
 *
 * Knobs (environment): BENCH_SECONDS (10) per measured window, BENCH_VERIFY_CONCURRENCY (16),
 * BENCH_VERIFY_RATE (2000/s, paced latency), BENCH_VERIFY_PROCESSES (nproc), BENCH_LOGIN_LOOPS (8),
 * BENCH_USERS (16), BENCH_REFRESH_CHAINS (32), BENCH_INTROSPECT_CONNECTIONS (32), BENCH_LOGIN_RATE (0: phase 4's
 * logins in closed loops; n: paced at n/s),
 * BENCH_DATABASE_URL (the Postgres server the bench creates its database on; BENCH_SERVER_URL, its old
 * name, is still read; postgres://postgres@localhost:5432/postgres), REDIS_URL, BENCH_KEEP_DB=1,
 * BENCH_ONLY (comma list of verify,machine,mixed,introspect,refresh,login) to run a subset,
 * BENCH_FLOOR (1; 0 leaves the floor runs out), BENCH_PROFILE=1 (CPU profiles of the in-process introspection, refresh and login windows),
 * BENCH_WORKERS (n > 1 adds phase 5: introspection and refresh against `node dist/apps/auth/src/main.js`
 * run as a process of its own with CREDENCE_WORKERS=1, then n, alternated BENCH_WORKER_ROUNDS (1) times;
 * run it alone with BENCH_ONLY=workers).
 * Experiments (figures then are not production settings): ARGON2_MAX_CONCURRENCY, BENCH_NICE_HASH_THREADS=n,
 * BENCH_PIN_LOOP=1 (phase 1c only: the app's main thread gets CPU 0 to itself and everything else, its
 * other threads, the login clients, Postgres and Redis, the other CPUs; as root, restored afterwards),
 * BENCH_LOGIN_WORK=1 (with BENCH_ONLY=login only: argon2 at m=1024 KiB t=1, to read a login's work besides its hash).
 *
 * Remote mode (remote.ts): BENCH_TARGET_URL=http://host:3000 and BENCH_ADMIN_KEY (the server's platform admin
 * key) drive a Credence that already runs there, from this machine: fixtures over the public API, then
 * introspection, refresh and logins (BENCH_ONLY applies); throughput and latency only, no CPU split (the
 * server's /proc and Postgres are out of reach); the tenant is offboarded at the end. The server must list
 * this machine in TRUSTED_PROXIES (or raise LOGIN_IP_LIMIT_PER_MINUTE), or sign-ins stop at 30 a minute.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, setPriority, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@credence/config';
import { TenantRef } from '@credence/context';
import { PasswordHasher } from '@credence/crypto';
import { dropDatabase, ensureDatabase } from '@credence/database';
import { RevocationStore, SigningKeyStore, TokenVerifier } from '@credence/identity';
import { createApp } from '@credence/runtime';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { startFloor } from './floor-server';
import { startServerProcess } from '../shared/server-process';
import { Child, children } from './child';
import { runRemote } from './remote';
import { combine, CpuMeter, CpuSplit, median, now, pct, procTicks, round, sleep, Window, Workload } from './shared';
import { LoginCpu, loginCpuPerOp, showLoginCpu, showSpareCore, spareCoreProjection } from './login-cpu';
import {
  benchDatabaseServer,
  cleanRedis,
  countRoundTrips,
  profileWindow,
  remoteTarget,
  sent,
  sourceRevision,
  table,
  traceReport,
  writeResults,
  SPARE_POOL_OFF,
} from '../shared/bench-kit';

// ---------------------------------------------------------------- knobs

const int = (name: string, fallback: number) => {
  const v = process.env[name];
  const n = v ? Number(v) : fallback;
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
};
const SECONDS = int('BENCH_SECONDS', 10);
const VERIFY_CONCURRENCY = int('BENCH_VERIFY_CONCURRENCY', 16);
const VERIFY_RATE = int('BENCH_VERIFY_RATE', 2000);
const VERIFY_PROCESSES = int('BENCH_VERIFY_PROCESSES', cpus().length);
const LOGIN_LOOPS = int('BENCH_LOGIN_LOOPS', 8);
const USERS = int('BENCH_USERS', 16);
const REFRESH_CHAINS = int('BENCH_REFRESH_CHAINS', 32);
const INTROSPECT_CONNECTIONS = int('BENCH_INTROSPECT_CONNECTIONS', 32);
const KEEP_DB = process.env.BENCH_KEEP_DB === '1';
const SERVER_URL = benchDatabaseServer();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
const ONLY = new Set((process.env.BENCH_ONLY ?? 'verify,machine,mixed,introspect,refresh,login').split(',').map((s) => s.trim()));
const NICE_HASH_THREADS = int('BENCH_NICE_HASH_THREADS', 0);
const PIN_LOOP = int('BENCH_PIN_LOOP', 0) === 1;
/** 0 leaves out the bare node:http floor run after the introspection and refresh phases. */
const FLOOR = int('BENCH_FLOOR', 1) === 1;
/** BENCH_WORKERS=n (n > 1): phase 5 runs introspection and refresh against the auth app as a process with 1 worker, then n. */
const WORKERS = int('BENCH_WORKERS', 0);
const WORKER_ROUNDS = Math.max(1, int('BENCH_WORKER_ROUNDS', 1));
/**
 * BENCH_LOGIN_WORK=1 (with BENCH_ONLY=login): phase 4 with argon2 at its cheapest (m=1024 KiB, t=1), to
 * read a login's work besides its hash when no memory-hard hash shares the cores' caches with it.
 * Its logins/s are not a login rate, so the ratio and the projection are left out of its output.
 */
const LOGIN_WORK = int('BENCH_LOGIN_WORK', 0) === 1;
/** BENCH_LOGIN_RATE=n: phase 4's logins paced at n/s (0: closed loops). With BENCH_LOGIN_WORK, the real logins' rate, so the relay batches as it did for them. */
const LOGIN_RATE = int('BENCH_LOGIN_RATE', 0);
const WARM_S = 2;
const STALL_S = 3;

const ADMIN_KEY = `crd_bench_${randomBytes(24).toString('base64url')}`;
const KEK = randomBytes(32).toString('base64');
const PASSWORD = `bench ${randomBytes(9).toString('base64url')} staple`;

const TARGETS = { login_hash_ratio: 0.8, refresh_per_s: 1500, introspect_per_s: 4000, verify_machine_per_s: 20000, verify_p99_under_login_ms: 5 };

const log = (line: string) => process.stdout.write(`${line}\n`);

function machine() {
  return { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', ram_gib: round(totalmem() / 2 ** 30, 1), node: process.version };
}

// ---------------------------------------------------------------- setup over HTTP

async function call<T = any>(
  url: string,
  method: string,
  path: string,
  body: unknown,
  auth?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(auth ? { authorization: auth } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

function expect(status: number, res: { status: number; body: unknown }, what: string): void {
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 400)}`);
}

interface Pair {
  access_token: string;
  refresh_token: string;
  session_id: string;
}

let ipSeq = 0;
const nextIp = () => {
  ipSeq++;
  return `192.168.${(ipSeq >> 8) & 255}.${ipSeq & 255}`;
};

async function login(url: string, slug: string, email: string): Promise<Pair> {
  const res = await call<Pair>(url, 'POST', `/v1/t/${slug}/auth/login`, { email, password: PASSWORD }, undefined, { 'x-forwarded-for': nextIp() });
  expect(200, res, `login ${email}`);
  return res.body;
}

/**
 * Experiment (BENCH_NICE_HASH_THREADS=n): lowers the scheduling priority of the threads that run
 * argon2 (libuv's pool: every thread of this process that burns CPU while only hashes run, except
 * the main one), to see whether the event loop's latency under login load is a CPU-priority matter.
 */
async function niceHashThreads(hasher: PasswordHasher, niceness: number): Promise<number[]> {
  const tasks = () => readdirSync('/proc/self/task').filter((t) => Number(t) !== process.pid);
  const before = new Map(tasks().map((t) => [t, procTicks(`self/task/${t}`) ?? 0]));
  await Promise.all(Array.from({ length: 24 }, () => hasher.hash(PASSWORD)));
  const busy = tasks().filter((t) => (procTicks(`self/task/${t}`) ?? 0) - (before.get(t) ?? 0) >= 5);
  for (const t of busy) setPriority(Number(t), niceness);
  log(`  EXPERIMENT: threads ${busy.join(', ')} (ran argon2) reniced to ${niceness}`);
  return busy.map(Number);
}

/**
 * Experiment (BENCH_PIN_LOOP=1): the event loop with a core of its own. The main thread of this process
 * goes on CPU 0; its other threads (argon2, libuv, V8's helpers), the given processes (load clients) and
 * every Postgres and Redis process (new backends inherit the postmaster's mask) go on the rest. Shows
 * what the token-check tail under logins is once nothing else competes for the loop's core. Returns
 * the undo: every task back on every CPU.
 */
function pinEventLoop(others: number[]): () => void {
  if (cpus().length < 2) throw new Error('BENCH_PIN_LOOP needs at least two CPUs: one for the event loop, one for everything else');
  const all = `0-${cpus().length - 1}`;
  const rest = `1-${cpus().length - 1}`;
  const servers = ['postgres', 'redis-server'].flatMap((name) => {
    try {
      return execFileSync('pgrep', ['-x', name], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return []; // none running under that name
    }
  });
  const threads = readdirSync('/proc/self/task')
    .map(Number)
    .filter((t) => t !== process.pid);
  const set = (mask: string, pid: number, allThreads: boolean) => execFileSync('taskset', [...(allThreads ? ['-a'] : []), '-p', '-c', mask, String(pid)], { stdio: 'ignore' });
  for (const pid of [...others, ...servers]) set(rest, pid, true);
  for (const tid of threads) set(rest, tid, false);
  set('0', process.pid, false);
  log(`  EXPERIMENT: main thread on CPU 0; ${threads.length} other threads, ${others.length} load clients and ${servers.length} Postgres/Redis processes on CPU ${rest}`);
  return () => {
    for (const pid of [...others, ...servers]) set(all, pid, true);
    for (const tid of [process.pid, ...threads]) set(all, tid, false);
  };
}

/** What the bench database's connections are doing, from a connection of its own (the app's pool may be exhausted). */
async function sessionsInDatabase(databaseUrl: string): Promise<{ state: string; wait: string; xact_age_s: number; query: string }[]> {
  const admin = new URL(databaseUrl);
  const database = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT state, coalesce(wait_event_type || ':' || wait_event, '') AS wait, round(extract(epoch FROM now() - xact_start)::numeric, 1)::float8 AS xact_age_s,
              left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query
         FROM pg_stat_activity WHERE datname = $1 ORDER BY xact_start NULLS LAST`,
      [database],
    );
    return rows;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------- measuring helpers

const mark = () => ({ ...sent });
/** Statements and commands per completed operation between two marks (background work of the app included). */
const perOp = (from: { pg: number; redis: number }, ops: number) => ({
  pg_statements_per_op: round((sent.pg - from.pg) / Math.max(1, ops), 2),
  redis_commands_per_op: round((sent.redis - from.redis) / Math.max(1, ops), 2),
});

/** Runs `during` between CPU readings; returns what it returned plus the CPU split. */
async function metered<T>(meter: CpuMeter, during: () => Promise<T>): Promise<{ result: T; cpu?: CpuSplit }> {
  meter.begin();
  const result = await during();
  return { result, cpu: meter.end() };
}

/** In-process workload: warms up, then measures one window of SECONDS. */
async function inProcess(
  workload: Workload,
  concurrency: number,
  ratePerS?: number,
  onWindowStart?: () => Promise<void>,
  onWindowEnd?: () => void,
): Promise<Window & ReturnType<typeof perOp>> {
  workload.start(concurrency, ratePerS);
  await sleep(WARM_S * 1000);
  await onWindowStart?.();
  workload.snapshot();
  const from = mark();
  await sleep(SECONDS * 1000);
  const w = workload.snapshot();
  onWindowEnd?.();
  const counts = perOp(from, w.ok);
  await workload.stop();
  return { ...w, ...counts };
}

const showWindow = (w: Window & { pg_statements_per_op?: number; redis_commands_per_op?: number }) =>
  `${w.per_s}/s (${w.ok} ok, ${w.errors} errors${w.errors ? ` ${JSON.stringify(w.error_kinds)}` : ''}), p50 ${w.p50_ms} ms, p90 ${w.p90_ms} ms, p99 ${w.p99_ms} ms, max ${w.max_ms} ms` +
  (w.pg_statements_per_op !== undefined ? `; per op: ${w.pg_statements_per_op} SQL statements, ${w.redis_commands_per_op} Redis commands` : '');
const showCpu = (c?: CpuSplit) =>
  c ? `CPU-s over ${c.wall_s} s: machine ${c.machine_busy_s} = app ${c.app_s} + children ${c.children_s} + pg ${c.pg_s} + redis ${c.redis_s} + others ${c.others_s}` : 'CPU n/a';

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const server = new URL(SERVER_URL);
  server.pathname = `/credence_bench_auth_${runId}`;
  const databaseUrl = server.toString();
  const database = server.pathname.slice(1);
  const redisPrefix = `credence-bench-auth-${runId.replace(/_/g, '-')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'credence-bench-auth-'));
  const started = new Date();
  const load: number[][] = [loadavg().map((x) => round(x, 2))];

  // NODE_ENV stays at its default (production mode only adds required-secret checks and refuses the
  // log OTP sender); the argon2 floor is asserted below instead. TRUSTED_PROXIES lets the login
  // clients present one address per request, so the per-IP login limit (30/min, unchanged) sees
  // many clients, as behind a load balancer: the limiter still runs on every login.
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    CREDENCE_DATA_DIR: dataDir,
    CREDENCE_ADMIN_KEY: ADMIN_KEY,
    CREDENCE_KEY_ENCRYPTION_KEY: KEK,
    ...SPARE_POOL_OFF,
    CREDENCE_BASE_URL: 'http://credence.bench',
    TRUSTED_PROXIES: '127.0.0.1',
    LOG_LEVEL: 'silent',
    // ARGON2_*, DB_POOL_*: production defaults, deliberately not set (the hashing pool's threads, nice and
    // queue may be given for an experiment about the pool itself; the output then says so).
    ...Object.fromEntries(['ARGON2_MAX_CONCURRENCY', 'ARGON2_NICE', 'ARGON2_QUEUE', 'ARGON2_SCHED_IDLE'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : []))),
    ...(LOGIN_WORK ? { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' } : {}),
  };
  const { config } = loadConfig(env);
  if (LOGIN_WORK && [...ONLY].join() !== 'login') throw new Error('BENCH_LOGIN_WORK=1 goes with BENCH_ONLY=login: its hashes are not production ones');
  if (!LOGIN_WORK && (config.ARGON2_MEMORY_KIB < 19_456 || config.ARGON2_TIME_COST < 2))
    throw new Error('argon2 settings below the OWASP floor: this bench measures production costs');
  if (LOGIN_WORK) log("  EXPERIMENT: BENCH_LOGIN_WORK=1, argon2 m=1024 KiB t=1: a login's work besides its hash; no login rate or ratio");
  log(`credence auth bench ${runId}: database ${database}, redis prefix ${redisPrefix}`);
  log(
    `  argon2id m=${config.ARGON2_MEMORY_KIB} KiB t=${config.ARGON2_TIME_COST} p=1, ${config.ARGON2_MAX_CONCURRENCY} hashing threads at ${config.ARGON2_SCHED_IDLE ? 'SCHED_IDLE' : `nice +${config.ARGON2_NICE}`}, queue ${config.ARGON2_QUEUE}; pool max ${config.DB_POOL_MAX}; ` +
      `${SECONDS} s windows after ${WARM_S} s warm-up; load ${load[0].join(' ')}`,
  );
  // The app runs in this process: its V8 flags are this process's (npm run bench:auth passes those of npm start).
  if (!process.execArgv.includes('--max-semi-space-size=64')) log('  NOTE: run without --max-semi-space-size=64, which npm start and the auth app use');

  countRoundTrips();
  await ensureDatabase(databaseUrl);
  // Interrupted (Ctrl-C, timeout): still drop the database and the Redis keys.
  const onSignal = (signal: NodeJS.Signals) => {
    log(`\n${signal}: cleaning up`);
    for (const c of children) c.kill('SIGKILL');
    void Promise.allSettled([dropDatabase(databaseUrl), cleanRedis(REDIS_URL, redisPrefix)]).then(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let app: NestFastifyApplication | undefined;
  let wedged = false;
  const results: Record<string, unknown> = {};
  try {
    app = await createApp(config, 'bench', [AuthAppModule]);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const url = `http://127.0.0.1:${port}`;
    const admin = `Bearer ${ADMIN_KEY}`;
    const meter = new CpuMeter(database, () => [...children].map((c) => c.pid!).filter(Boolean));

    // ---------------------------------------------------------- fixtures
    const slug = `bench-auth-${runId.slice(-6)}`;
    const onboarded = await call<{ id: string }>(
      url,
      'POST',
      '/v1/admin/tenants',
      { slug, name: 'Auth bench', admin: { email: `admin@${slug}.example`, password: PASSWORD } },
      admin,
    );
    expect(201, onboarded, 'onboarding');
    const tenant: TenantRef = { id: onboarded.body.id, slug, schema: `t_${onboarded.body.id.replace(/-/g, '')}` };
    const adminPair = await login(url, slug, `admin@${slug}.example`);
    const emails: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const email = `user${i}@${slug}.example`;
      expect(201, await call(url, 'POST', `/v1/t/${slug}/users`, { email, password: PASSWORD }, `Bearer ${adminPair.access_token}`), `create ${email}`);
      emails.push(email);
    }
    const credential = await call<{ client_id: string; client_secret: string }>(
      url,
      'POST',
      `/v1/t/${slug}/service-credentials`,
      { name: 'bench' },
      `Bearer ${adminPair.access_token}`,
    );
    expect(201, credential, 'service credential');
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(credential.body.client_id)}:${encodeURIComponent(credential.body.client_secret)}`).toString('base64')}`;
    // Real tokens: one login per user and chain (sessions, access tokens and refresh tokens).
    const pairs: Pair[] = [];
    const sessionsWanted = Math.max(USERS * 2, REFRESH_CHAINS);
    for (let i = 0; i < sessionsWanted; i += 4) {
      pairs.push(...(await Promise.all(Array.from({ length: Math.min(4, sessionsWanted - i) }, (_, j) => login(url, slug, emails[(i + j) % emails.length])))));
    }
    const accessTokens = pairs.map((p) => p.access_token);
    log(`  fixtures: tenant ${slug}, ${USERS} users, ${pairs.length} sessions, 1 service credential`);

    const verifier = app.get(TokenVerifier);
    const keyStore = app.get(SigningKeyStore);
    const revocationStore = app.get(RevocationStore);
    const hasher = app.get(PasswordHasher);
    for (const t of accessTokens) await verifier.verify(tenant, t); // keys cached, revocation marks rebuilt
    for (const k of ['ARGON2_MAX_CONCURRENCY', 'ARGON2_NICE', 'ARGON2_QUEUE', 'ARGON2_SCHED_IDLE'] as const)
      if (process.env[k]) log(`  EXPERIMENT: ${k}=${config[k]} (not the default)`);
    if (NICE_HASH_THREADS) results.experiment_nice = { niceness: NICE_HASH_THREADS, threads: await niceHashThreads(hasher, NICE_HASH_THREADS) };
    const verifyWorkload = () => new Workload(async (seq) => void (await verifier.verify(tenant, accessTokens[seq % accessTokens.length])));

    // ---------------------------------------------------------- 1. token checks, alone
    if (ONLY.has('verify')) {
      const closed = await metered(meter, () => inProcess(verifyWorkload(), VERIFY_CONCURRENCY));
      log(`1a verify in-process, 1 process, ${VERIFY_CONCURRENCY} closed loops: ${showWindow(closed.result)}\n   ${showCpu(closed.cpu)}`);
      const paced = await metered(meter, () => inProcess(verifyWorkload(), 0, VERIFY_RATE));
      log(`1a verify in-process, paced ${VERIFY_RATE}/s: ${showWindow(paced.result)}\n   ${showCpu(paced.cpu)}`);
      const serial = await metered(meter, () => inProcess(verifyWorkload(), 1));
      log(`1a verify in-process, 1 closed loop: ${showWindow(serial.result)}`);
      // The fixtures' tokens repeat, as a client's token does until it expires, so the verifier's remembered
      // signatures spare every check above its ECDSA verify. A verifier of its own per check sees each token
      // for the first time: what a token's first check costs.
      const firstSight = await metered(meter, () =>
        inProcess(
          new Workload(async (seq) => void (await new TokenVerifier(keyStore, revocationStore, config).verify(tenant, accessTokens[seq % accessTokens.length]))),
          VERIFY_CONCURRENCY,
        ),
      );
      log(`1a verify in-process, first sight of each token, ${VERIFY_CONCURRENCY} closed loops: ${showWindow(firstSight.result)}\n   ${showCpu(firstSight.cpu)}`);
      results.verify_alone = { closed: { concurrency: VERIFY_CONCURRENCY, ...closed }, paced: { rate_per_s: VERIFY_RATE, ...paced }, serial, first_sight: firstSight };
    }

    // ---------------------------------------------------------- 1. token checks on the whole machine
    if (ONLY.has('machine') && VERIFY_PROCESSES > 1) {
      const workers = await Promise.all(
        Array.from({ length: VERIFY_PROCESSES - 1 }, () => Child.start({ cmd: 'init', mode: 'verify', env, tenant, tokens: accessTokens, concurrency: VERIFY_CONCURRENCY })),
      );
      const local = verifyWorkload();
      const { result, cpu } = await metered(meter, async () => {
        for (const w of workers) w.send({ cmd: 'start' });
        local.start(VERIFY_CONCURRENCY);
        await sleep(WARM_S * 1000);
        local.snapshot();
        await Promise.all(workers.map((w) => w.snapshot()));
        await sleep(SECONDS * 1000);
        const ws = [local.snapshot(), ...(await Promise.all(workers.map((w) => w.snapshot())))];
        await local.stop();
        await Promise.all(workers.map((w) => w.stop()));
        return { per_process: ws, total: combine(ws) };
      });
      log(
        `1b verify in-process, ${VERIFY_PROCESSES} processes x ${VERIFY_CONCURRENCY} closed loops: total ${result.total.per_s}/s (${result.per_process.map((w) => w.per_s).join(' + ')}), worst p99 ${result.total.p99_ms} ms, errors ${result.total.errors}\n   ${showCpu(cpu)}`,
      );
      results.verify_machine = { processes: VERIFY_PROCESSES, concurrency_each: VERIFY_CONCURRENCY, ...result, cpu };
    }

    // ---------------------------------------------------------- 1. token checks while logins run flat out
    if (ONLY.has('mixed')) {
      const logins = await Child.start({ cmd: 'init', mode: 'login', url, slug, emails, password: PASSWORD, concurrency: LOGIN_LOOPS });
      logins.send({ cmd: 'start' });
      await sleep(WARM_S * 1000);
      const mixed: Record<string, unknown> = { login_loops: LOGIN_LOOPS, ...(PIN_LOOP ? { experiment_pinned_loop: true } : {}) };
      const unpin = PIN_LOOP ? pinEventLoop([logins.proc.pid!]) : undefined;
      try {
        for (const [label, concurrency, rate] of [
          ['closed', VERIFY_CONCURRENCY, undefined],
          ['paced', 0, VERIFY_RATE],
        ] as const) {
          const { result, cpu } = await metered(meter, async () => {
            let loginWindowStarted = false;
            const verify = await inProcess(verifyWorkload(), concurrency, rate, async () => {
              await logins.snapshot();
              loginWindowStarted = true;
            });
            if (!loginWindowStarted) throw new Error('login window did not start');
            // Round trips per check would count the logins' too: not meaningful here.
            delete (verify as Partial<typeof verify>).pg_statements_per_op;
            delete (verify as Partial<typeof verify>).redis_commands_per_op;
            return { verify, logins: await logins.snapshot() };
          });
          log(
            `1c verify in-process ${label === 'closed' ? `${concurrency} closed loops` : `paced ${rate}/s`} while ${LOGIN_LOOPS} login loops run over HTTP: ${showWindow(result.verify)}`,
          );
          log(`   logins meanwhile: ${showWindow(result.logins)}\n   ${showCpu(cpu)}`);
          mixed[label] = { concurrency, rate_per_s: rate, ...result, cpu };
        }
      } finally {
        unpin?.();
      }
      await logins.stop();
      results.verify_under_login = mixed;
    }

    // ---------------------------------------------------------- 2. introspection over HTTP
    const introspectionOver = async (target: string, token: string, m = meter) => {
      const probe = await fetch(`${target}/v1/t/${slug}/auth/introspect`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${encodeURIComponent(token)}`,
      });
      const expectBody = await probe.text();
      if (probe.status !== 200 || !(JSON.parse(expectBody) as { active: boolean }).active) throw new Error(`introspection probe answered ${probe.status}: ${expectBody}`);
      const base = { cmd: 'init', mode: 'introspect', url: target, slug, token, authorization: basic, connections: INTROSPECT_CONNECTIONS, expectBody } as const;
      const warm = await Child.start({ ...base, seconds: WARM_S });
      await warm.next('autocannon');
      const { result, cpu } = await metered(m, async () => {
        const c = await Child.start({ ...base, seconds: SECONDS });
        const from = mark();
        const profiled = target === url ? profileWindow('auth-introspection') : async () => undefined;
        const done = await c.next<{ result: any; client_cpu_s: number }>('autocannon');
        const profile = await profiled();
        if (profile) log(`   CPU profile: ${profile}`);
        return { ...done, counts: perOp(from, done.result.requests.total) };
      });
      const r = result.result;
      const ok = r['2xx'] - (r.mismatches ?? 0);
      const figures = {
        method: `autocannon ${INTROSPECT_CONNECTIONS} keep-alive connections, pipelining 1, form body token=<access token>, HTTP Basic`,
        connections: INTROSPECT_CONNECTIONS,
        duration_s: r.duration,
        per_s: round(ok / r.duration, 1),
        total: r.requests.total,
        ok,
        non2xx: r.non2xx,
        mismatches: r.mismatches,
        errors: r.errors,
        timeouts: r.timeouts,
        p50_ms: r.latency.p50,
        p90_ms: r.latency.p90,
        p99_ms: r.latency.p99,
        max_ms: r.latency.max,
        client_cpu_s: round(result.client_cpu_s, 2),
        ...result.counts,
        cpu,
      };
      return figures;
    };
    const showIntrospection = (f: Awaited<ReturnType<typeof introspectionOver>>) =>
      `${f.per_s}/s, p50 ${f.p50_ms} ms, p99 ${f.p99_ms} ms; per request ${f.pg_statements_per_op} SQL statements, ${f.redis_commands_per_op} Redis commands; non-2xx ${f.non2xx}, body mismatches ${f.mismatches}, errors ${f.errors}\n   ${showCpu(f.cpu)}`;
    const floor = FLOOR && (ONLY.has('introspect') || ONLY.has('refresh')) ? await startFloor(databaseUrl, REDIS_URL, redisPrefix, REFRESH_CHAINS) : undefined;
    if (ONLY.has('introspect')) {
      const figures = await introspectionOver(url, pairs[0].access_token);
      log(`2  introspection over HTTP (${figures.method}): ${showIntrospection(figures)}`);
      results.introspection = figures;
      if (floor) {
        const bare = await introspectionOver(floor.url, floor.accessToken);
        log(`2f floor (bare node:http, one ES256 verify + one Redis MGET): ${showIntrospection(bare)}\n   Credence ÷ floor: ${round(figures.per_s / bare.per_s, 2)}`);
        results.introspection_floor = { ...bare, credence_over_floor: round(figures.per_s / bare.per_s, 3) };
      }
    }

    // ---------------------------------------------------------- 3. refreshes over HTTP
    const refreshOver = async (target: string, chains: string[], m = meter) =>
      metered(m, async () => {
        const c = await Child.start({ cmd: 'init', mode: 'refresh', url: target, slug, refreshTokens: chains });
        c.send({ cmd: 'start' });
        // Progress is polled every second: a refresh path that stops completing is reported, not waited on forever.
        const stalledFor = async (seconds: number) => {
          let last = await c.progress();
          let still = 0;
          for (let s = 0; s < seconds; s++) {
            await sleep(1000);
            const total = await c.progress();
            still = total === last ? still + 1 : 0;
            last = total;
            if (still >= STALL_S) return true;
          }
          return false;
        };
        let stalled = await stalledFor(WARM_S);
        await c.snapshot();
        const from = mark();
        traceReport(1); // BENCH_TRACE=1: count from here
        const profiled = target === url ? profileWindow('auth-refresh') : async () => undefined;
        if (!stalled) stalled = await stalledFor(SECONDS);
        const w = await c.snapshot();
        const profile = await profiled();
        if (profile) log(`   CPU profile: ${profile}`);
        const window = { ...w, ...perOp(from, w.ok) };
        if (process.env.BENCH_TRACE === '1' && target === url) log(`   per refresh (BENCH_TRACE):\n${traceReport(w.ok)}`);
        const evidence = stalled ? await sessionsInDatabase(databaseUrl) : undefined;
        const stop = await c.stop();
        return { window, broken_chains: stop.ended_loops, stalled, evidence };
      });
    if (ONLY.has('refresh')) {
      const chains = pairs.slice(0, REFRESH_CHAINS).map((p) => p.refresh_token);
      const { result, cpu } = await refreshOver(url, chains);
      log(`3  refresh over HTTP, ${chains.length} chains: ${showWindow(result.window)}; broken chains ${result.broken_chains ?? '?'}\n   ${showCpu(cpu)}`);
      if (result.stalled) {
        wedged = true;
        log(`   STALLED: no refresh completed for ${STALL_S} s with ${chains.length} chains (DB_POOL_MAX ${config.DB_POOL_MAX}); the bench database's connections:`);
        log(
          table(
            ['state', 'wait', 'xact age s', 'last statement'],
            (result.evidence ?? []).map((r) => [r.state, r.wait, r.xact_age_s, r.query]),
          ),
        );
        log('   the app is wedged: skipping the remaining phases');
      }
      results.refresh = { chains: chains.length, method: 'node:http keep-alive, one closed loop per session chain, in a child process', ...result, cpu };
      if (floor && !wedged) {
        const bare = await refreshOver(floor.url, floor.refreshTokens);
        const ratio = round(result.window.per_s / bare.result.window.per_s, 3);
        log(
          `3f floor (bare node:http, one ES256 sign + one single-statement transaction), ${floor.refreshTokens.length} chains: ${showWindow(bare.result.window)}; broken chains ${bare.result.broken_chains ?? '?'}\n   ${showCpu(bare.cpu)}\n   Credence ÷ floor: ${round(ratio, 2)}`,
        );
        results.refresh_floor = { ...bare.result, cpu: bare.cpu, credence_over_floor: ratio };
      }
    }
    await floor?.close();
    pairs.splice(0); // tokens refreshed above are spent

    // ---------------------------------------------------------- 5. one worker process against BENCH_WORKERS
    if (WORKERS > 1 && !wedged) {
      const runs: Record<string, unknown>[] = [];
      // Alternated, 1 then n, BENCH_WORKER_ROUNDS times: both sides share the machine's noise.
      for (let r = 0; r < WORKER_ROUNDS; r++) {
        for (const n of [1, WORKERS]) {
          const server = await startServerProcess(env, n);
          try {
            // The server's processes are the meter's "children": their CPU reads as server CPU.
            const serverMeter = new CpuMeter(database, () => server.pids());
            const chains: string[] = [];
            for (let i = 0; i < REFRESH_CHAINS; i += 4) {
              const batch = await Promise.all(Array.from({ length: Math.min(4, REFRESH_CHAINS - i) }, (_, j) => login(server.url, slug, emails[(i + j) % emails.length])));
              chains.push(...batch.map((p) => p.refresh_token));
            }
            const token = (await login(server.url, slug, emails[0])).access_token;
            const introspection = await introspectionOver(server.url, token, serverMeter);
            const refresh = await refreshOver(server.url, chains, serverMeter);
            // Statement counts are this process's: the server's are not seen here, so they are left out.
            log(
              `5  ${n} worker process${n > 1 ? 'es' : ''}, round ${r + 1}: introspection ${introspection.per_s}/s, p50 ${introspection.p50_ms} ms, p99 ${introspection.p99_ms} ms; ` +
                `non-2xx ${introspection.non2xx}, body mismatches ${introspection.mismatches}, errors ${introspection.errors}`,
            );
            log(
              `   server CPU-s ${introspection.cpu?.children_s} (primary + workers), pg ${introspection.cpu?.pg_s}, machine ${introspection.cpu?.machine_busy_s} over ${introspection.cpu?.wall_s} s`,
            );
            const w = refresh.result.window;
            log(`   refresh: ${w.per_s}/s (${w.ok} ok, ${w.errors} errors), p50 ${w.p50_ms} ms, p99 ${w.p99_ms} ms; broken chains ${refresh.result.broken_chains ?? '?'}`);
            log(`   server CPU-s ${refresh.cpu?.children_s} (primary + workers), pg ${refresh.cpu?.pg_s}, machine ${refresh.cpu?.machine_busy_s} over ${refresh.cpu?.wall_s} s`);
            runs.push({ workers: n, round: r + 1, introspection, refresh: { ...refresh.result, cpu: refresh.cpu } });
          } finally {
            await server.stop();
          }
        }
      }
      const mean = (n: number, pick: (r: any) => number) => {
        const xs = runs.filter((r) => r.workers === n).map(pick);
        return round(xs.reduce((a, b) => a + b, 0) / xs.length, 1);
      };
      const side = (n: number) => ({ introspect_per_s: mean(n, (r) => r.introspection.per_s), refresh_per_s: mean(n, (r) => r.refresh.window.per_s) });
      const one = side(1);
      const many = side(WORKERS);
      log(
        `5  ${WORKERS} workers vs 1 (means of ${WORKER_ROUNDS} round${WORKER_ROUNDS > 1 ? 's' : ''}): introspection ${many.introspect_per_s}/s vs ${one.introspect_per_s}/s (x${round(many.introspect_per_s / one.introspect_per_s, 2)}), ` +
          `refresh ${many.refresh_per_s}/s vs ${one.refresh_per_s}/s (x${round(many.refresh_per_s / one.refresh_per_s, 2)})`,
      );
      results.workers = { workers: WORKERS, rounds: WORKER_ROUNDS, db_pool_max_per_worker: config.DB_POOL_MAX, one, many, runs };
    }

    // ---------------------------------------------------------- 4. logins vs bare hashes
    if (ONLY.has('login') && !wedged) {
      const single: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t0 = now();
        await hasher.hash(PASSWORD);
        single.push(now() - t0);
      }
      const rounds: { hash: Window & { cpu?: CpuSplit }; login: Window & { cpu?: CpuSplit }; per_op?: LoginCpu }[] = [];
      for (let r = 0; r < 2; r++) {
        // A second meter reads the measured window alone (the first spans warm-up and stop too): per-operation CPU.
        const hashWindow = new CpuMeter(database, () => []);
        let hashCpu: CpuSplit | undefined;
        let loginCpu: CpuSplit | undefined;
        const hash = await metered(meter, () =>
          inProcess(
            new Workload(async () => void (await hasher.hash(PASSWORD))),
            LOGIN_LOOPS,
            undefined,
            async () => hashWindow.begin(),
            () => (hashCpu = hashWindow.end()),
          ),
        );
        const loginRun = await metered(meter, async () => {
          const c = await Child.start({
            cmd: 'init',
            mode: 'login',
            url,
            slug,
            emails,
            password: PASSWORD,
            concurrency: LOGIN_RATE ? 0 : LOGIN_LOOPS,
            ratePerS: LOGIN_RATE || undefined,
          });
          const loginWindow = new CpuMeter(database, () => [c.pid]);
          c.send({ cmd: 'start' });
          await sleep(WARM_S * 1000);
          await c.snapshot();
          loginWindow.begin();
          const from = mark();
          traceReport(1); // BENCH_TRACE=1: count from here
          const profiled = profileWindow(`auth-login-${r + 1}`);
          await sleep(SECONDS * 1000);
          const w = await c.snapshot();
          loginCpu = loginWindow.end();
          const profile = await profiled();
          if (profile) log(`   CPU profile: ${profile}`);
          await c.stop();
          if (process.env.BENCH_TRACE === '1') log(`   per login (BENCH_TRACE):\n${traceReport(w.ok)}`);
          return { ...w, ...perOp(from, w.ok) };
        });
        const perOpCpu = loginCpuPerOp(hash.result.ok, hashCpu, loginRun.result.ok, loginCpu);
        rounds.push({ hash: { ...hash.result, cpu: hash.cpu }, login: { ...loginRun.result, cpu: loginRun.cpu }, per_op: perOpCpu });
        log(`4  round ${r + 1}: bare argon2id hashes (${LOGIN_LOOPS} callers, cap ${config.ARGON2_MAX_CONCURRENCY}): ${showWindow(hash.result)}\n   ${showCpu(hash.cpu)}`);
        log(`   password logins over HTTP (${LOGIN_RATE ? `paced ${LOGIN_RATE}/s` : `${LOGIN_LOOPS} loops`}): ${showWindow(loginRun.result)}\n   ${showCpu(loginRun.cpu)}`);
        if (perOpCpu) log(`   ${showLoginCpu(perOpCpu)}`);
      }
      const hashPerS = round(rounds.reduce((a, r) => a + r.hash.ok, 0) / rounds.reduce((a, r) => a + r.hash.ms / 1000, 0), 1);
      const loginPerS = round(rounds.reduce((a, r) => a + r.login.ok, 0) / rounds.reduce((a, r) => a + r.login.ms / 1000, 0), 1);
      const spare = spareCoreProjection(rounds.map((r) => r.per_op));
      results.login_vs_hash = {
        cheap_hash_experiment: LOGIN_WORK,
        callers: LOGIN_LOOPS,
        argon2_max_concurrency: config.ARGON2_MAX_CONCURRENCY,
        hash_single_p50_ms: round(median(single), 2),
        hash_single_p90_ms: round(pct(single, 90), 2),
        hashes_per_s: hashPerS,
        logins_per_s: loginPerS,
        ratio: round(loginPerS / hashPerS, 3),
        spare_core: spare,
        rounds,
      };
      if (!LOGIN_WORK) log(`4  logins/s ${loginPerS} vs hashes/s ${hashPerS}: ratio ${round(loginPerS / hashPerS, 3)} (single hash p50 ${round(median(single), 1)} ms)`);
      if (spare && !LOGIN_WORK) log(`4  ${showSpareCore(spare)}`);
      if (spare && LOGIN_WORK) log(`4  a login's work besides its hash, no memory-hard hash beside it: ${spare.work_ms} ms (mean of the rounds)`);
    }

    // ---------------------------------------------------------- summary
    load.push(loadavg().map((x) => round(x, 2)));
    const g = results as any;
    const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'MET' : 'MISSED');
    const rows: (string | number)[][] = [];
    if (g.verify_alone) rows.push(['token checks/s, 1 process', g.verify_alone.closed.result.per_s, '-', '']);
    if (g.verify_alone) rows.push(['token check p99 ms alone (closed / paced)', `${g.verify_alone.closed.result.p99_ms} / ${g.verify_alone.paced.result.p99_ms}`, '-', '']);
    if (g.verify_machine)
      rows.push([
        `token checks/s, ${VERIFY_PROCESSES} processes`,
        g.verify_machine.total.per_s,
        `>= ${TARGETS.verify_machine_per_s}`,
        verdict(g.verify_machine.total.per_s >= TARGETS.verify_machine_per_s),
      ]);
    if (g.verify_under_login) {
      const c = g.verify_under_login.closed;
      const p = g.verify_under_login.paced;
      rows.push(['token checks/s under logins (1 process)', c.verify.per_s, '-', '']);
      rows.push([
        `token check p99 ms under logins, ${VERIFY_CONCURRENCY} closed loops`,
        c.verify.p99_ms,
        `<= ${TARGETS.verify_p99_under_login_ms}`,
        verdict(c.verify.p99_ms <= TARGETS.verify_p99_under_login_ms),
      ]);
      rows.push([
        `token check p99 ms under logins, paced ${VERIFY_RATE}/s`,
        p.verify.p99_ms,
        `<= ${TARGETS.verify_p99_under_login_ms}`,
        verdict(p.verify.p99_ms <= TARGETS.verify_p99_under_login_ms),
      ]);
    }
    if (g.introspection)
      rows.push(['introspections/s (HTTP)', g.introspection.per_s, `>= ${TARGETS.introspect_per_s}`, verdict(g.introspection.per_s >= TARGETS.introspect_per_s)]);
    if (g.introspection_floor)
      rows.push(['introspections/s, Credence ÷ bare floor', g.introspection_floor.credence_over_floor, '>= 0.5', verdict(g.introspection_floor.credence_over_floor >= 0.5)]);
    if (g.refresh) rows.push(['refreshes/s (HTTP)', g.refresh.window.per_s, `>= ${TARGETS.refresh_per_s}`, verdict(g.refresh.window.per_s >= TARGETS.refresh_per_s)]);
    if (g.refresh_floor) rows.push(['refreshes/s, Credence ÷ bare floor', g.refresh_floor.credence_over_floor, '>= 0.5', verdict(g.refresh_floor.credence_over_floor >= 0.5)]);
    if (g.workers) {
      rows.push([`introspections/s, 1 vs ${WORKERS} worker processes`, `${g.workers.one.introspect_per_s} vs ${g.workers.many.introspect_per_s}`, '-', '']);
      rows.push([`refreshes/s, 1 vs ${WORKERS} worker processes`, `${g.workers.one.refresh_per_s} vs ${g.workers.many.refresh_per_s}`, '-', '']);
    }
    if (g.login_vs_hash && LOGIN_WORK) rows.push([`a login's work besides its hash (cheap-hash experiment)`, `${g.login_vs_hash.spare_core?.work_ms} ms`, '-', '']);
    else if (g.login_vs_hash) {
      rows.push(['password logins/s (HTTP)', g.login_vs_hash.logins_per_s, '-', '']);
      rows.push(['bare argon2id hashes/s', g.login_vs_hash.hashes_per_s, '-', '']);
      rows.push(['logins/s / hashes/s', g.login_vs_hash.ratio, `>= ${TARGETS.login_hash_ratio}`, verdict(g.login_vs_hash.ratio >= TARGETS.login_hash_ratio)]);
      if (g.login_vs_hash.spare_core)
        rows.push([
          'logins/s / hashes/s, a core to spare',
          g.login_vs_hash.spare_core.ratio,
          `>= ${TARGETS.login_hash_ratio}`,
          verdict(g.login_vs_hash.spare_core.ratio >= TARGETS.login_hash_ratio),
        ]);
    }
    log('');
    log(table(['figure', 'value', 'target', ''], rows));
    log(`load average at start ${load[0].join(' ')}, at end ${load[1].join(' ')}`);

    const out = {
      run_id: runId,
      source: sourceRevision(),
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      machine: machine(),
      loadavg_start_end: load,
      knobs: {
        WORKERS,
        WORKER_ROUNDS,
        SECONDS,
        WARM_S,
        VERIFY_CONCURRENCY,
        VERIFY_RATE,
        VERIFY_PROCESSES,
        LOGIN_LOOPS,
        USERS,
        REFRESH_CHAINS,
        INTROSPECT_CONNECTIONS,
        NICE_HASH_THREADS,
        FLOOR,
      },
      config: {
        argon2: {
          memory_kib: config.ARGON2_MEMORY_KIB,
          time_cost: config.ARGON2_TIME_COST,
          parallelism: 1,
          max_concurrency: config.ARGON2_MAX_CONCURRENCY,
          nice: config.ARGON2_NICE,
          sched_idle: config.ARGON2_SCHED_IDLE,
          queue: config.ARGON2_QUEUE,
        },
        db_pool_max: config.DB_POOL_MAX,
      },
      targets: TARGETS,
      ...results,
    };
    const file = writeResults('auth', started, runId, out);
    log(`\nraw figures: ${file}`);
  } finally {
    for (const c of children) c.kill();
    // A wedged app (connections held by transactions that never finish) may never close: bounded wait.
    if (app) await Promise.race([app.close().catch((err) => log(`app close failed: ${err}`)), sleep(wedged ? 2_000 : 60_000)]);
    if (KEEP_DB) log(`kept database ${databaseUrl} (BENCH_KEEP_DB=1)`);
    else await dropDatabase(databaseUrl).catch((err) => log(`drop database failed: ${err}`));
    await cleanRedis(REDIS_URL, redisPrefix).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const target = remoteTarget();
(target ? runRemote(target, { SECONDS, WARM_S, USERS, REFRESH_CHAINS, INTROSPECT_CONNECTIONS, LOGIN_LOOPS, ONLY }) : main()).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`auth bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    for (const c of children) c.kill();
    process.exit(1);
  },
);
