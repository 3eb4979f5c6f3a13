/**
 * LDAP sign-in benchmark (not a test): `npm run bench:ldap`. Issue 13, item 6.
 *
 * Starts Debian's slapd (test/support/slapd.ts: loopback, StartTLS with its own CA, ppolicy and
 * memberof overlays) with USERS users, and the real auth app in-process (createApp, as bench/saml)
 * on its own database and Redis prefix, with one tenant and one LDAP connection (StartTLS, the CA,
 * JIT on). Every user signs in once first (JIT creates them; not measured). Then, RUNS times,
 * alternating which goes first, CONCURRENCY closed loops for SECONDS each:
 *   1. Credence: POST /v1/t/{tenant}/auth/login {connection, username, password}: rate limit, lockout
 *      reservation, connection and sealed secret read, search + bind over pooled StartTLS
 *      connections, FederatedSignIn (link, profile, group rules), session and tokens;
 *   2. bare ldapts on the same slapd: the directory work of one login done as well as ldapts can, one
 *      search as the service account (the attributes a login reads) and one bind as the entry found,
 *      each loop with its own two already-open StartTLS connections (a pool of 8 + 8, as Credence pools).
 * Prints logins/s, p50/p99, CPU per op of this process, SQL statements and Redis commands per op, and
 * the ratio. The load runs in this process (fetch), so Credence's figure also pays for the client.
 * Target (issue): Credence ≥ 0.7 × bare.
 *
 * Knobs (environment): BENCH_SECONDS (10), BENCH_RUNS (3), BENCH_USERS (32), BENCH_CONCURRENCY (8), BENCH_PROFILE=1 (CPU profile per window),
 * BENCH_DATABASE_URL (BENCH_SERVER_URL, its old name, is still read), REDIS_URL, BENCH_KEEP_DB=1, BENCH_TRACE=1 (statements and commands per op, by text).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@credence/config';
import { dropDatabase, ensureDatabase } from '@credence/database';
import { createApp } from '@credence/runtime';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { PEOPLE, SERVICE_DN, SERVICE_PASSWORD, Slapd, startSlapd } from '../../test/support/slapd';
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
const RUNS = int('BENCH_RUNS', 3);
const USERS = int('BENCH_USERS', 32);
const CONCURRENCY = int('BENCH_CONCURRENCY', 8);
const KEEP_DB = process.env.BENCH_KEEP_DB === '1';
const SERVER_URL = benchDatabaseServer();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
const WARM_S = 2;
const TARGET_RATIO = 0.7;
const ADMIN_KEY = `crd_bench_${randomBytes(24).toString('base64url')}`;
const PASSWORD = `bench ${randomBytes(9).toString('base64url')} staple`;
const log = (line: string) => process.stdout.write(`${line}\n`);
const userPassword = (i: number) => `directory-pw-${i}`;
/** Loops take turns through the users, so no two loops sign the same user in at once. */
const userOf = (seq: number, loop: number) => (seq * CONCURRENCY + loop) % USERS;

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

/** A tenant and an LDAP connection to the bench's slapd (StartTLS with its CA, JIT on, memberOf groups). */
async function fixtures(url: string, slapd: Slapd, runId: string): Promise<{ slug: string; connectionId: string }> {
  const slug = `bench-ldap-${runId.slice(-6)}`;
  const admin = `admin@${slug}.example`;
  await call(url, 'POST', '/v1/admin/tenants', { slug, name: 'LDAP bench', admin: { email: admin, password: PASSWORD } }, `Bearer ${ADMIN_KEY}`);
  const { access_token } = await call<{ access_token: string }>(url, 'POST', `/v1/t/${slug}/auth/login`, { email: admin, password: PASSWORD });
  const connection = await call<{ id: string }>(
    url,
    'POST',
    `/v1/t/${slug}/connections`,
    {
      type: 'ldap',
      name: 'Bench directory',
      jit: { enabled: true, default_roles: ['employee'] },
      group_role_mapping: [{ group: 'staff', role: 'manager' }],
      ldap: {
        url: slapd.ldapUrl,
        start_tls: true,
        ca_certificate: slapd.caPem,
        bind_dn: SERVICE_DN,
        bind_password: SERVICE_PASSWORD,
        user_search_base: PEOPLE,
        user_search_filter: '(uid={{username}})',
        timeout_ms: 5000,
      },
    },
    `Bearer ${access_token}`,
  );
  return { slug, connectionId: connection.id };
}

/** Warm-up, then one window; round trips of this process per completed op. */
/** The bench's database, for peerCpu's Postgres backends. */
let benchDatabaseUrl = '';

async function measure(
  kind: string,
  fn: (seq: number, loop: number) => Promise<void>,
): Promise<{ window: Window; per_op: { pg: number; redis: number; cpu_ms: number }; cpu_ms_per_op_by_process: Record<string, number> }> {
  const w = new Workload(fn);
  w.start(CONCURRENCY);
  await sleep(WARM_S * 1000);
  w.snapshot();
  traceReport(1);
  const from = { ...sent };
  const peers = await peerCpu(benchDatabaseUrl, REDIS_URL);
  const stopProfile = profileWindow(`ldap-${kind}`);
  await sleep(SECONDS * 1000);
  const window = w.snapshot();
  const peerMs = peers.stop();
  const profile = await stopProfile();
  if (profile) log(`cpu profile of the ${kind} window: ${profile}`);
  await w.stop();
  const ops = Math.max(1, window.ok);
  if (process.env.BENCH_TRACE === '1') log(`per op (BENCH_TRACE):\n${traceReport(ops)}`);
  const cpu_ms_per_op_by_process = Object.fromEntries(Object.entries(peerMs).map(([k, ms]) => [k, round(ms / ops, 3)]));
  return {
    window,
    per_op: { pg: round((sent.pg - from.pg) / ops, 2), redis: round((sent.redis - from.redis) / ops, 2), cpu_ms: round((window.cpu_s * 1000) / ops, 3) },
    cpu_ms_per_op_by_process,
  };
}

type Measured = Awaited<ReturnType<typeof measure>>;

/**
 * What a directory login must read about the user, as LdapDirectory asks for it (ldap-entry.ts
 * userAttributes with the default mapping): the stable subject, the account state and the profile.
 */
const LOGIN_ATTRIBUTES = ['entryUUID', 'objectGUID', 'userAccountControl', 'pwdAccountLockedTime', 'mail', 'givenName', 'sn', 'memberOf'];

/** Bare ldapts: per loop one service connection (bound once) and one bind connection, both StartTLS with the CA. */
async function bareLoops(slapd: Slapd): Promise<{ fn: (seq: number, loop: number) => Promise<void>; close(): Promise<void> }> {
  const tls = { ca: [slapd.caPem], host: '127.0.0.1' };
  const open = async () => {
    const c = new Client({ url: slapd.ldapUrl, timeout: 5000, connectTimeout: 5000 });
    await c.startTLS(tls);
    return c;
  };
  const pairs = await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const service = await open();
      await service.bind(SERVICE_DN, SERVICE_PASSWORD);
      return { service, binder: await open() };
    }),
  );
  return {
    fn: async (seq, loop) => {
      const i = userOf(seq, loop);
      const { service, binder } = pairs[loop];
      const { searchEntries } = await service.search(PEOPLE, { scope: 'sub', filter: `(uid=u${i})`, attributes: LOGIN_ATTRIBUTES, sizeLimit: 2 });
      await binder.bind(searchEntries[0].dn, userPassword(i));
    },
    close: async () => {
      await Promise.all(pairs.flatMap((p) => [p.service.unbind(), p.binder.unbind()]).map((p) => p.catch(() => undefined)));
    },
  };
}

async function main(): Promise<void> {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const server = new URL(SERVER_URL);
  server.pathname = `/credence_bench_ldap_${runId}`;
  const databaseUrl = server.toString();
  benchDatabaseUrl = databaseUrl;
  const redisPrefix = `credence-bench-ldap-${runId.replace(/_/g, '-')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'credence-bench-ldap-'));
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
    // slapd listens on loopback: allowed outside production (NODE_ENV development), as a directory on the LAN would be listed in FEDERATION_ALLOWED_HOSTS.
    NODE_ENV: 'development',
    LOGIN_IP_LIMIT_PER_MINUTE: '100000000',
    LOG_LEVEL: 'silent',
  });
  log(`credence ldap bench ${runId}: ${RUNS} runs of ${SECONDS} s windows after ${WARM_S} s warm-up, ${CONCURRENCY} loops, ${USERS} users; load ${load[0].join(' ')}`);

  countRoundTrips();
  await ensureDatabase(databaseUrl);
  const slapd = await startSlapd();
  let app: NestFastifyApplication | undefined;
  try {
    const staff = [];
    for (let i = 0; i < USERS; i += 1) staff.push(await slapd.addUser({ uid: `u${i}`, password: userPassword(i), mail: `u${i}@bench.example`, givenName: `User`, sn: `${i}` }));
    await slapd.addGroup('staff', staff);
    app = await createApp(config, 'bench', [AuthAppModule]);
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const { slug, connectionId } = await fixtures(url, slapd, runId);
    const credence = async (seq: number, loop = 0) => {
      const i = userOf(seq, loop);
      const res = await fetch(`${url}/v1/t/${slug}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ connection: connectionId, username: `u${i}`, password: userPassword(i) }),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    };
    for (let i = 0; i < USERS; i += 1) await credence(i); // JIT: first sign-ins create the users
    const bare = await bareLoops(slapd);

    const runs: { order: readonly string[]; credence: Measured; bare: Measured; ratio: number }[] = [];
    for (let r = 0; r < RUNS; r += 1) {
      const order = r % 2 === 0 ? (['credence', 'bare'] as const) : (['bare', 'credence'] as const);
      const out: Record<string, Measured> = {};
      for (const kind of order) out[kind] = await measure(kind, kind === 'credence' ? credence : bare.fn);
      const ratio = round(out.credence.window.per_s / out.bare.window.per_s, 3);
      log(
        `run ${r + 1}: Credence ${out.credence.window.per_s}/s (p50 ${out.credence.window.p50_ms} ms, p99 ${out.credence.window.p99_ms} ms, errors ${out.credence.window.errors}),`,
      );
      log(`       ${out.credence.per_op.pg} SQL statements + ${out.credence.per_op.redis} Redis commands and ${out.credence.per_op.cpu_ms} ms CPU of this process per login`);
      const byProcess = (m: Measured) =>
        Object.entries(m.cpu_ms_per_op_by_process)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ');
      log(`       CPU ms per op by process (children = slapd): Credence ${byProcess(out.credence)}; bare ${byProcess(out.bare)}`);
      log(
        `       bare ldapts search+bind ${out.bare.window.per_s}/s (p50 ${out.bare.window.p50_ms} ms, p99 ${out.bare.window.p99_ms} ms), ${out.bare.per_op.cpu_ms} ms CPU per op; ratio ${ratio}`,
      );
      runs.push({ order, credence: out.credence, bare: out.bare, ratio });
    }
    await bare.close();
    load.push(loadavg().map((x) => round(x, 2)));
    const med = (f: (r: (typeof runs)[number]) => number) => round(median(runs.map(f)), 3);
    const ratio = med((r) => r.ratio);
    log(
      `\n${table(
        ['figure', 'value (median)', 'target'],
        [
          ['Credence LDAP logins /s', med((r) => r.credence.window.per_s), '-'],
          ['  p50 / p99 ms', `${med((r) => r.credence.window.p50_ms)} / ${med((r) => r.credence.window.p99_ms)}`, '-'],
          ['bare ldapts search+bind /s', med((r) => r.bare.window.per_s), '-'],
          ['ratio Credence / bare', ratio, `>= ${TARGET_RATIO} ${ratio >= TARGET_RATIO ? 'MET' : 'MISSED'}`],
        ],
      )}\nload average at start ${load[0].join(' ')}, at end ${load[1].join(' ')}`,
    );
    const file = writeResults('ldap', started, runId, {
      run_id: runId,
      source: sourceRevision(),
      started_at: started.toISOString(),
      machine: { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', ram_gib: round(totalmem() / 2 ** 30, 1), node: process.version },
      loadavg_start_end: load,
      knobs: { SECONDS, WARM_S, RUNS, USERS, CONCURRENCY },
      runs,
    });
    log(`raw figures: ${file}`);
  } finally {
    if (app) await app.close().catch((err) => log(`app close failed: ${err}`));
    await slapd.stop();
    if (!KEEP_DB) await dropDatabase(databaseUrl).catch((err) => log(`drop database failed: ${err}`));
    await cleanRedis(REDIS_URL, redisPrefix).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`ldap bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
