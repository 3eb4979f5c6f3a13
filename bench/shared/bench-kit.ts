import Redis from 'ioredis';
import { Client as PgClient } from 'pg';
import { execSync } from 'node:child_process';
import { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureDatabase } from '@credence/database';
import { deleteKeysWithPrefix } from '@credence/redis';

/** Helpers every benchmark uses: a plain-text table, Redis clean-up, and the machine's busy CPU ticks. */

export function table(headers: string[], rows: (string | number)[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) => cells.map((c, i) => (typeof c === 'number' ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export async function cleanRedis(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await deleteKeysWithPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** Busy CPU ticks of the whole machine since boot (/proc/stat: everything but idle and iowait). */
export function machineBusyTicks(): number {
  const [, ...nums] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const v = nums.map(Number);
  return v.slice(0, 8).reduce((a, b) => a + b, 0) - v[3] - v[4];
}

/** The repository root (dist/bench/<x> → root), or the working directory when run from elsewhere. */
export function repoRoot(): string {
  const candidate = resolve(__dirname, '..', '..', '..');
  return existsSync(join(candidate, 'package.json')) ? candidate : process.cwd();
}

/** Which code was measured: HEAD and how many tracked files differ from it. */
export function sourceRevision(): { commit: string; dirty_files: number } | undefined {
  try {
    const cwd = repoRoot();
    const commit = execSync('git rev-parse HEAD', { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    return { commit, dirty_files: dirty ? dirty.split('\n').length : 0 };
  } catch {
    return process.env.BENCH_SOURCE_COMMIT ? { commit: process.env.BENCH_SOURCE_COMMIT, dirty_files: 0 } : undefined;
  }
}

/** Writes a run's raw figures to bench/results/<kind>-<time>-<run>.json (git-ignored) and returns the path. */
export function writeResults(kind: string, started: Date, runId: string, out: unknown): string {
  const dir = join(repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${kind}-${started.toISOString().replace(/[:.]/g, '-')}-${runId}.json`);
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  return file;
}

/**
 * The spare-schema pool off (unless TENANT_SPARE_POOL_SIZE is given): on a fresh database its refill job
 * builds spare tenant schemas in the background, and that DDL would land in the first measured windows.
 * A deployment's pool is full and idle between onboardings; only bench:onboarding measures it.
 */
export const SPARE_POOL_OFF: Record<string, string> = { TENANT_SPARE_POOL_SIZE: process.env.TENANT_SPARE_POOL_SIZE ?? '0' };

/**
 * A fresh database `credence_bench_<kind>_<run>` on the server (created here), and the environment
 * of a development Credence on it: its own Redis prefix, data dir, admin key and KEK.
 */
export async function benchWorld(kind: string, run: string, serverUrl: string, redisUrl: string): Promise<{ databaseUrl: string; prefix: string; env: Record<string, string> }> {
  const db = new URL(serverUrl);
  db.pathname = `/credence_bench_${kind}_${run}`;
  const databaseUrl = db.toString();
  const prefix = `bench-${kind}-${run}`;
  await ensureDatabase(databaseUrl);
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    CREDENCE_DATA_DIR: mkdtempSync(join(tmpdir(), 'credence-bench-')),
    CREDENCE_ADMIN_KEY: `crd_bench_${randomBytes(24).toString('base64url')}`,
    CREDENCE_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    ...SPARE_POOL_OFF,
  };
  return { databaseUrl, prefix, env };
}

/**
 * Postgres statements and Redis commands this process sent, once countRoundTrips() wrapped the clients,
 * and the socket writes that carried the counted Postgres queries (`pgWrites`: queries pipelined into
 * one write are one round trip).
 */
export const sent = { pg: 0, redis: 0, pgWrites: 0 };
/** The sockets of the Postgres clients whose queries are counted. */
const countedPgSockets = new WeakSet<object>();
let socketWritesWrapped = false;
function countSocketWrites(): void {
  if (socketWritesWrapped) return;
  socketWritesWrapped = true;
  const proto = Socket.prototype as unknown as { _write: (...a: unknown[]) => unknown; _writev: (...a: unknown[]) => unknown };
  const { _write, _writev } = proto;
  proto._write = function (this: object, ...a: unknown[]) {
    if (countedPgSockets.has(this)) sent.pgWrites++;
    return _write.apply(this, a);
  };
  proto._writev = function (this: object, ...a: unknown[]) {
    if (countedPgSockets.has(this)) sent.pgWrites++;
    return _writev.apply(this, a);
  };
}
/** With BENCH_TRACE=1: counts per statement (its first 70 characters) and per Redis command name, printed by traceReport(). */
const traced = new Map<string, number>();
const TRACE = process.env.BENCH_TRACE === '1';
const tally = (what: string) => TRACE && traced.set(what, (traced.get(what) ?? 0) + 1);

/** The BENCH_TRACE tallies, largest first, each divided by `per` (operations), and clears them. */
export function traceReport(per: number): string {
  const lines = [...traced].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${(n / per).toFixed(2).padStart(7)}  ${k}`);
  traced.clear();
  return lines.join('\n');
}

/**
 * Counts every statement and command this process sends (bench-only wrappers; call before the app starts).
 * `pgApplicationName`: count only Postgres round trips of connections with that application_name (the
 * app's pool, not the bench's own probes).
 */
export function countRoundTrips(o: { pgApplicationName?: string } = {}): void {
  countSocketWrites();
  const pgProto = PgClient.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const query = pgProto.query;
  pgProto.query = function (this: { connectionParameters?: { application_name?: string } }, ...a: unknown[]) {
    if (o.pgApplicationName && this.connectionParameters?.application_name !== o.pgApplicationName) return query.apply(this, a);
    sent.pg++;
    const socket = (this as { connection?: { stream?: object } }).connection?.stream;
    if (socket) countedPgSockets.add(socket);
    if (TRACE)
      tally(
        `sql ${String(typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string })?.text)
          .replace(/\s+/g, ' ')
          .trim()
          .slice(0, 70)}`,
      );
    return query.apply(this, a);
  };
  const redisProto = Redis.prototype as unknown as { sendCommand: (...a: unknown[]) => unknown };
  const sendCommand = redisProto.sendCommand;
  redisProto.sendCommand = function (this: unknown, ...a: unknown[]) {
    sent.redis++;
    if (TRACE) tally(`redis ${(a[0] as { name?: string })?.name}`);
    return sendCommand.apply(this, a);
  };
}

/**
 * With BENCH_PROFILE=1: a V8 CPU profile of this process from now until the returned function is called,
 * written to bench/results/<name>-<time>.cpuprofile (open in Chrome DevTools, or summarise with
 * `node bench/shared/profile-top.mjs <file>`). Without it, a no-op: windows stay unprofiled.
 */
export function profileWindow(name: string): () => Promise<string | undefined> {
  if (process.env.BENCH_PROFILE !== '1') return async () => undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Session } = require('node:inspector') as typeof import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<any>((ok, fail) => session.post(method, params ?? {}, (err, res) => (err ? fail(err) : ok(res))));
  const started = Promise.resolve()
    .then(() => post('Profiler.enable'))
    .then(() => post('Profiler.setSamplingInterval', { interval: 200 }))
    .then(() => post('Profiler.start'));
  return async () => {
    await started;
    const { profile } = await post('Profiler.stop');
    session.disconnect();
    const dir = join(repoRoot(), 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  };
}

/** USER_HZ: /proc/stat and /proc/<pid>/stat count CPU time in ticks of 10 ms on Linux. */
export const TICK_MS = 10;

/** Busy CPU ticks of one process since it started, all its threads (0 once it is gone, or off Linux). */
export const ticksOf = (pid: number): number => {
  try {
    // /proc/<pid>/stat: fields after the command's closing parenthesis; utime and stime are the 12th and 13th of them.
    const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return 0;
  }
};

/** The process id of the Redis server at the URL (INFO server), or 0 when it does not answer. */
export async function redisServerPid(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? 0);
  } catch {
    return 0;
  } finally {
    redis.disconnect();
  }
}
const childPids = (parent: number): number[] => {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === parent) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
};

/**
 * CPU of the processes around a window, in ms: this process, its child processes (the IdP, slapd), the
 * Postgres backends serving `databaseUrl` (the bench's own database: no other work is in them) and the
 * Redis server (shared with whatever else runs on the machine: an upper bound). Call `stop()` at the
 * window's end. Linux only (/proc); elsewhere every figure but this process's reads 0.
 */
export async function peerCpu(databaseUrl: string, redisUrl: string): Promise<{ stop(): Record<string, number> }> {
  const pg = new PgClient({ connectionString: databaseUrl });
  await pg.connect();
  const { rows } = await pg.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  await pg.end();
  const redisPid = await redisServerPid(redisUrl);
  const groups: Record<string, number[]> = { postgres: rows.map((r) => r.pid), redis: redisPid ? [redisPid] : [], children: childPids(process.pid) };
  const from = Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, pids.reduce((a, p) => a + ticksOf(p), 0)]));
  const self0 = process.cpuUsage();
  return {
    stop: () => {
      const self = process.cpuUsage(self0);
      const out: Record<string, number> = { node: Math.round((self.user + self.system) / 1000) };
      for (const [k, pids] of Object.entries(groups)) out[k] = (pids.reduce((a, p) => a + ticksOf(p), 0) - from[k]) * TICK_MS;
      return out;
    },
  };
}

// ---------------------------------------------------------------- database server and remote targets

/** The Postgres server a bench creates its own database on: BENCH_DATABASE_URL, or BENCH_SERVER_URL (its old name, still read). */
export function benchDatabaseServer(): string {
  return process.env.BENCH_DATABASE_URL ?? process.env.BENCH_SERVER_URL ?? 'postgres://postgres@localhost:5432/postgres';
}

/** An already-running Credence the bench drives over its public API instead of starting one. */
export interface RemoteTarget {
  url: string;
  adminKey: string;
}

/** BENCH_TARGET_URL (with BENCH_ADMIN_KEY, a platform API key with `tenants:write`) switches a bench to remote mode. */
export function remoteTarget(): RemoteTarget | undefined {
  const url = process.env.BENCH_TARGET_URL;
  if (!url) return undefined;
  const adminKey = process.env.BENCH_ADMIN_KEY;
  if (!adminKey) throw new Error("BENCH_TARGET_URL needs BENCH_ADMIN_KEY: the server's CREDENCE_ADMIN_KEY (or .credence/admin-key), or a platform API key with tenants:write");
  return { url: url.replace(/\/+$/, ''), adminKey };
}

export const REMOTE_CPU_NOTE =
  "CPU split not available remotely: this bench cannot read the server's /proc or its Postgres, so it reports throughput and latency only " +
  "(read CPU on the server machine over the same window, e.g. `pidstat -u 1`); load averages and CPU figures here are the load generator's.";

/** One JSON call to the target; the body is parsed when there is one. */
export async function api<T = any>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  auth?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(auth ? { authorization: auth } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export function expectStatus(status: number, res: { status: number; body: unknown }, what: string): void {
  if (res.status === status) return;
  const hint = res.status === 429 ? ' (the per-IP sign-in limit: see "Running against a remote server" in BENCHMARKS.md)' : '';
  throw new Error(`${what} answered ${res.status}${hint}: ${JSON.stringify(res.body).slice(0, 400)}`);
}

/** Onboards a tenant on the target with a password admin, signs the admin in, and returns the tenant and the admin's bearer. */
export async function remoteTenant(target: RemoteTarget, slug: string, password: string): Promise<{ id: string; slug: string; admin: string }> {
  const email = `admin@${slug}.example`;
  const onboarded = await api<{ id: string }>(target.url, 'POST', '/v1/admin/tenants', { slug, name: `Bench ${slug}`, admin: { email, password } }, `Bearer ${target.adminKey}`);
  expectStatus(201, onboarded, `onboarding ${slug}`);
  const login = await api<{ access_token: string }>(target.url, 'POST', `/v1/t/${slug}/auth/login`, { email, password });
  expectStatus(200, login, `login ${email}`);
  return { id: onboarded.body.id, slug, admin: `Bearer ${login.body.access_token}` };
}

/** Creates `n` password users in a tenant (four at a time); returns their ids and emails. */
export async function remoteUsers(target: RemoteTarget, slug: string, admin: string, n: number, password: string): Promise<{ id: string; email: string }[]> {
  const users: { id: string; email: string }[] = [];
  await inPool(n, 4, async (i) => {
    const email = `user${i}@${slug}.example`;
    const res = await api<{ id: string }>(target.url, 'POST', `/v1/t/${slug}/users`, { email, password }, admin);
    expectStatus(201, res, `create ${email}`);
    users[i] = { id: res.body.id, email };
  });
  return users;
}

/**
 * Offboards what a remote run onboarded (`DELETE /v1/admin/tenants/{slug}`: the tenant stops at once,
 * its data is dropped after the server's TENANT_PURGE_GRACE_SECONDS). Never throws: says what failed.
 */
export async function offboardTenants(target: RemoteTarget, slugs: string[], log: (line: string) => void): Promise<void> {
  let failed = 0;
  await inPool(slugs.length, 8, async (i) => {
    const res = await api(target.url, 'DELETE', `/v1/admin/tenants/${slugs[i]}`, undefined, `Bearer ${target.adminKey}`).catch((err: Error) => ({
      status: 0,
      body: err.message,
    }));
    if (res.status !== 202) {
      failed++;
      log(`  offboarding ${slugs[i]} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 200)}`);
    }
  });
  log(`  cleanup: ${slugs.length - failed} of ${slugs.length} bench tenant(s) offboarded (purged after the server's TENANT_PURGE_GRACE_SECONDS)`);
}

/** Runs fn over 0..n-1 with at most `limit` in flight; rejects on the first failure. */
export async function inPool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

/** p50/p90/p99/max of a latency sample in ms (nearest rank), one decimal. */
export function latencies(sample: number[]): { n: number; p50_ms: number; p90_ms: number; p99_ms: number; max_ms: number } {
  const s = Float64Array.from(sample).sort();
  const at = (p: number) => (s.length ? Math.round(s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] * 10) / 10 : NaN);
  return { n: s.length, p50_ms: at(50), p90_ms: at(90), p99_ms: at(99), max_ms: at(100) };
}
