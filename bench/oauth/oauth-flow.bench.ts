/**
 * OAuth benchmark (not a test): `npm run bench:oauth`. Issue 11, item 7.
 *
 * Starts the real auth app in-process (createApp from @credence/runtime, as bench/auth does) on its
 * own database and Redis prefix, onboards one tenant with users and a confidential application,
 * signs each user in once through the hosted login page (a live Credence browser session per
 * simulated browser: browser-session.ts), then measures, with load generated in a child process
 * (flow-client.ts):
 *   1. full code flows: GET /oauth2/authorize with the session cookie → 302 with code → POST
 *      /oauth2/token (authorization_code + PKCE verifier, client_secret_basic) → tokens with an ID
 *      token. No argon2 on this path: the browser session is what authenticates the user;
 *   2. code exchanges alone: codes minted beforehand (outside the window), then token exchanges only,
 *      from closed loops;
 *   3. code exchanges offered at a fixed rate (open loop, BENCH_EXCHANGE_RATE/s), each latency counted
 *      from the exchange's scheduled send time, so a server that falls behind shows it in p99;
 *   4. phases 2 and 3 again against the built auth app as a process of its own
 *      (`node dist/apps/auth/src/main.js`, same database and settings) with CREDENCE_WORKERS=1, then
 *      BENCH_WORKERS, alternated BENCH_WORKER_ROUNDS times (the in-process app is closed first, so the
 *      server's processes run the outbox relay too).
 * Each: throughput, p50/p99 per operation, CPU per operation split between the app (Node), the bench
 * database's Postgres backends, Redis and the load generator, read from /proc, and (in-process) the
 * SQL statements and Redis commands the app sends per operation. Target: ≥ 500 exchanges/s with p99 ≤ 50 ms.
 *
 * Knobs (environment): BENCH_SECONDS (10), BENCH_USERS (16: browser sessions), BENCH_FLOW_LOOPS (16),
 * BENCH_EXCHANGE_LOOPS (16), BENCH_EXCHANGE_CODES (12000, minted before phase 2; codes live 60 s),
 * BENCH_EXCHANGE_RATE (500/s offered in phase 3; its codes are minted to fit), BENCH_PACED_SOCKETS (64),
 * BENCH_WORKERS (2; 0 leaves phase 4 out), BENCH_WORKER_ROUNDS (1), BENCH_ONLY (flow,refresh,exchange,paced,workers),
 * BENCH_PROFILE=1 (a CPU profile of this process over each in-process exchange window, bench/results/*.cpuprofile;
 * summarise with `node dist/bench/auth/cpuprofile-summary.js <file>`), BENCH_TRACE=1, BENCH_DATABASE_URL (BENCH_SERVER_URL, its old name, is still read),
 * REDIS_URL, BENCH_KEEP_DB=1.
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
import { round, sleep, Window } from '../auth/shared';
import { benchDatabaseServer, cleanRedis, countRoundTrips, sourceRevision, SPARE_POOL_OFF, table, writeResults } from '../shared/bench-kit';
import { ServerProcess, startServerProcess } from '../shared/server-process';
import { obtainBrowserSession } from './browser-session';
import { children, codesFor, measure, showPerOp, showWindow, startClient } from './exchange-phase';
import type { FlowTarget } from './flow-client';

const int = (name: string, fallback: number) => {
  const n = process.env[name] ? Number(process.env[name]) : fallback;
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
};
const SECONDS = int('BENCH_SECONDS', 10);
const USERS = Math.max(1, int('BENCH_USERS', 16));
const FLOW_LOOPS = int('BENCH_FLOW_LOOPS', 16);
const EXCHANGE_LOOPS = int('BENCH_EXCHANGE_LOOPS', 16);
const EXCHANGE_CODES = int('BENCH_EXCHANGE_CODES', 12_000);
const EXCHANGE_RATE = Math.max(1, int('BENCH_EXCHANGE_RATE', 500));
const PACED_SOCKETS = Math.max(1, int('BENCH_PACED_SOCKETS', 64));
const WORKERS = int('BENCH_WORKERS', 2);
const WORKER_ROUNDS = Math.max(1, int('BENCH_WORKER_ROUNDS', 1));
const KEEP_DB = process.env.BENCH_KEEP_DB === '1';
const SERVER_URL = benchDatabaseServer();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
const ONLY = new Set((process.env.BENCH_ONLY ?? 'flow,refresh,exchange,paced,workers').split(',').map((s) => s.trim()));
const WARM_S = 2;
const TARGETS = { exchanges_per_s: 500, exchange_p99_ms: 50 };
/** Never contacted: the load client reads the code from the 302's Location. */
const REDIRECT_URI = 'http://127.0.0.1:9/callback';

const ADMIN_KEY = `crd_bench_${randomBytes(24).toString('base64url')}`;
const PASSWORD = `bench ${randomBytes(9).toString('base64url')} staple`;
const log = (line: string) => process.stdout.write(`${line}\n`);

// ---------------------------------------------------------------- the exchange phases

/** Closed loops (no rate) or paced at `ratePerS`, against the app in this process or a server process. */
async function exchangePhase(target: FlowTarget, database: string, label: string, ratePerS?: number, server?: ServerProcess) {
  const c = await startClient({ cmd: 'init', mode: 'exchange', target, concurrency: EXCHANGE_LOOPS, sockets: ratePerS ? PACED_SOCKETS : undefined });
  const codes = ratePerS ? codesFor(ratePerS, WARM_S, SECONDS) : EXCHANGE_CODES;
  const minted = await c.mint(codes, EXCHANGE_LOOPS);
  log(`${label} minted ${minted.codes} codes in ${minted.seconds} s (${minted.per_s} authorizations/s with a session, not metered)`);
  if (minted.seconds + WARM_S + SECONDS > 55) log('   WARNING: the last codes will be over 55 s old by the end of the window: lower BENCH_EXCHANGE_CODES');
  const profileName = ratePerS ? 'oauth-exchange-paced' : 'oauth-exchange-closed';
  const r = await measure(c, { database, warmS: WARM_S, seconds: SECONDS, ratePerS, server, profileName });
  const exhausted = r.window.error_kinds['code pool empty: raise BENCH_EXCHANGE_CODES'] !== undefined;
  const how = ratePerS ? `offered ${ratePerS}/s (open loop, latency from the scheduled send)` : `${EXCHANGE_LOOPS} closed loops`;
  log(`${label} code exchanges, ${how}: ${showWindow(r.window)}${exhausted ? ' (pool ran dry: a lower bound)' : ''}\n   ${showPerOp(r.per_op, r.cpu)}`);
  if (r.profile) log(`   CPU profile: ${r.profile}`);
  return { ...(ratePerS ? { offered_per_s: ratePerS } : { loops: EXCHANGE_LOOPS }), minted, pool_exhausted: exhausted, ...r };
}

/** Paced: met when (nearly) all that was offered completed, and the p99 holds. */
const pacedRows = (name: string, r: { offered_per_s: number; window: Window }, verdict: (ok: boolean) => string) => [
  [
    `${name}: achieved of ${r.offered_per_s}/s offered`,
    r.window.per_s,
    `>= ${0.99 * TARGETS.exchanges_per_s}`,
    verdict(r.offered_per_s >= TARGETS.exchanges_per_s && r.window.per_s >= 0.99 * TARGETS.exchanges_per_s),
  ],
  [`${name}: p50 / p99 ms`, `${r.window.p50_ms} / ${r.window.p99_ms}`, `p99 <= ${TARGETS.exchange_p99_ms}`, verdict(r.window.p99_ms <= TARGETS.exchange_p99_ms)],
];

// ---------------------------------------------------------------- setup over HTTP

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

/** A tenant, USERS users with a password, a confidential app, and one live browser session per user. */
async function fixtures(url: string, runId: string): Promise<FlowTarget> {
  const slug = `bench-oauth-${runId.slice(-6)}`;
  const admin = `admin@${slug}.example`;
  await call(url, 'POST', '/v1/admin/tenants', { slug, name: 'OAuth bench', admin: { email: admin, password: PASSWORD } }, `Bearer ${ADMIN_KEY}`);
  const { access_token } = await call<{ access_token: string }>(url, 'POST', `/v1/t/${slug}/auth/login`, { email: admin, password: PASSWORD });
  const bearer = `Bearer ${access_token}`;
  const emails = Array.from({ length: USERS }, (_, i) => `user${i}@${slug}.example`);
  for (const email of emails) await call(url, 'POST', `/v1/t/${slug}/users`, { email, password: PASSWORD }, bearer);
  const app = await call<{ client_id: string; client_secret: string }>(
    url,
    'POST',
    `/v1/t/${slug}/applications`,
    { name: 'OAuth bench', type: 'confidential', redirect_uris: [REDIRECT_URI] },
    bearer,
  );
  const { issuer } = await call<{ issuer: string }>(url, 'GET', `/v1/t/${slug}/.well-known/openid-configuration`, undefined);
  const cookies: string[] = [];
  for (const [i, email] of emails.entries()) {
    const session = await obtainBrowserSession({ url, slug, clientId: app.client_id, redirectUri: REDIRECT_URI, email, password: PASSWORD, ip: `192.168.7.${i + 1}` });
    cookies.push(session.cookie);
  }
  log(`  fixtures: tenant ${slug}, ${USERS} users each with a browser session, confidential app ${app.client_id}, issuer ${issuer}`);
  return { url, slug, issuer, clientId: app.client_id, clientSecret: app.client_secret, redirectUri: REDIRECT_URI, cookies };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const server = new URL(SERVER_URL);
  server.pathname = `/credence_bench_oauth_${runId}`;
  const databaseUrl = server.toString();
  const database = server.pathname.slice(1);
  const redisPrefix = `credence-bench-oauth-${runId.replace(/_/g, '-')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'credence-bench-oauth-'));
  const started = new Date();
  const load = [loadavg().map((x) => round(x, 2))];
  // As bench/auth: production defaults; TRUSTED_PROXIES so clients can present one address per request.
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    CREDENCE_DATA_DIR: dataDir,
    CREDENCE_ADMIN_KEY: ADMIN_KEY,
    CREDENCE_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...SPARE_POOL_OFF,
    CREDENCE_BASE_URL: 'http://credence.bench',
    TRUSTED_PROXIES: '127.0.0.1',
    LOG_LEVEL: 'silent',
  };
  const { config } = loadConfig(env);
  log(`credence oauth bench ${runId}: database ${database}, redis prefix ${redisPrefix}; ${SECONDS} s windows after ${WARM_S} s warm-up; load ${load[0].join(' ')}`);

  countRoundTrips();
  await ensureDatabase(databaseUrl);
  const servers = new Set<ServerProcess>();
  const cleanUp = async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all([...servers].map((s) => s.stop()));
    if (KEEP_DB) log(`kept database ${databaseUrl} (BENCH_KEEP_DB=1)`);
    else await dropDatabase(databaseUrl).catch((err) => log(`drop database failed: ${err}`));
    await cleanRedis(REDIS_URL, redisPrefix).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`\n${signal}: cleaning up`);
    void cleanUp().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let app: NestFastifyApplication | undefined;
  const results: Record<string, any> = {};
  try {
    app = await createApp(config, 'bench', [AuthAppModule]);
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const target = await fixtures(url, runId);

    if (ONLY.has('flow')) {
      const c = await startClient({ cmd: 'init', mode: 'flow', target, concurrency: FLOW_LOOPS });
      const r = await measure(c, { database, warmS: WARM_S, seconds: SECONDS, profileName: 'oauth-flow' });
      log(`1  full code flows (authorize with session → code → token), ${FLOW_LOOPS} loops: ${showWindow(r.window)}\n   ${showPerOp(r.per_op, r.cpu)}`);
      if (r.profile) log(`   CPU profile: ${r.profile}`);
      results.flow = { loops: FLOW_LOOPS, ...r };
    }
    if (ONLY.has('refresh')) {
      const c = await startClient({ cmd: 'init', mode: 'refresh', target, concurrency: EXCHANGE_LOOPS });
      const r = await measure(c, { database, warmS: WARM_S, seconds: SECONDS, profileName: 'oauth-refresh' });
      log(`1r refresh through /oauth2/token (rotation, new ID token), ${EXCHANGE_LOOPS} chains: ${showWindow(r.window)}\n   ${showPerOp(r.per_op, r.cpu)}`);
      if (r.profile) log(`   CPU profile: ${r.profile}`);
      results.refresh = { chains: EXCHANGE_LOOPS, ...r };
    }
    if (ONLY.has('exchange')) results.exchange = await exchangePhase(target, database, '2 ');
    if (ONLY.has('paced')) results.paced = await exchangePhase(target, database, '3 ', EXCHANGE_RATE);

    if (ONLY.has('workers') && WORKERS > 0) {
      // The in-process app goes first: otherwise it would keep leading the outbox relay, and the
      // server's events would be published on this process's CPU.
      await app.close();
      app = undefined;
      const runs: Record<string, any>[] = [];
      // Alternated, 1 then n, BENCH_WORKER_ROUNDS times: both sides share the machine's noise.
      for (let r = 1; r <= WORKER_ROUNDS; r++) {
        for (const workers of WORKERS > 1 ? [1, WORKERS] : [1]) {
          const server = await startServerProcess(env, workers);
          servers.add(server);
          try {
            const on = { ...target, url: server.url };
            const label = `4  ${workers}w`;
            const closed = ONLY.has('exchange') ? await exchangePhase(on, database, label, undefined, server) : undefined;
            const paced = ONLY.has('paced') ? await exchangePhase(on, database, label, EXCHANGE_RATE, server) : undefined;
            runs.push({ workers, round: r, closed, paced });
          } finally {
            await server.stop();
            servers.delete(server);
          }
        }
      }
      results.workers = { workers: WORKERS, rounds: WORKER_ROUNDS, db_pool_max_per_worker: config.DB_POOL_MAX, runs };
    }

    load.push(loadavg().map((x) => round(x, 2)));
    const verdict = (ok: boolean) => (ok ? 'MET' : 'MISSED');
    const rows: (string | number)[][] = [];
    if (results.flow)
      rows.push(
        ['full code flows/s', results.flow.window.per_s, '-', ''],
        ['full code flow p50 / p99 ms', `${results.flow.window.p50_ms} / ${results.flow.window.p99_ms}`, '-', ''],
      );
    if (results.refresh)
      rows.push(
        ['OAuth refreshes/s (with ID token), closed loops', results.refresh.window.per_s, '-', ''],
        ['  SQL statements / Redis commands per refresh', `${results.refresh.per_op.pg_statements} / ${results.refresh.per_op.redis_commands}`, '-', ''],
      );
    if (results.exchange) {
      const w: Window = results.exchange.window;
      rows.push(['code exchanges/s, closed loops', w.per_s, `>= ${TARGETS.exchanges_per_s}`, verdict(w.per_s >= TARGETS.exchanges_per_s)]);
      rows.push(['code exchange p50 / p99 ms, closed loops', `${w.p50_ms} / ${w.p99_ms}`, `p99 <= ${TARGETS.exchange_p99_ms}`, verdict(w.p99_ms <= TARGETS.exchange_p99_ms)]);
    }
    if (results.paced) rows.push(...pacedRows('paced exchanges', results.paced, verdict));
    for (const run of results.workers?.runs ?? []) {
      const name = `${run.workers} worker process${run.workers > 1 ? 'es' : ''}${WORKER_ROUNDS > 1 ? `, round ${run.round}` : ''}`;
      if (run.closed) rows.push([`${name}: closed exchanges/s, p99 ms`, `${run.closed.window.per_s}, ${run.closed.window.p99_ms}`, '-', '']);
      if (run.paced) rows.push(...pacedRows(`${name}, paced`, run.paced, verdict));
    }
    log(`\n${table(['figure', 'value', 'target', ''], rows)}\nload average at start ${load[0].join(' ')}, at end ${load[1].join(' ')}`);
    const file = writeResults('oauth', started, runId, {
      run_id: runId,
      source: sourceRevision(),
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      machine: { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', ram_gib: round(totalmem() / 2 ** 30, 1), node: process.version },
      loadavg_start_end: load,
      knobs: { SECONDS, WARM_S, USERS, FLOW_LOOPS, EXCHANGE_LOOPS, EXCHANGE_CODES, EXCHANGE_RATE, PACED_SOCKETS, WORKERS, WORKER_ROUNDS },
      config: { db_pool_max: config.DB_POOL_MAX },
      targets: TARGETS,
      ...results,
    });
    log(`\nraw figures: ${file}`);
  } finally {
    if (app) await Promise.race([app.close().catch((err) => log(`app close failed: ${err}`)), sleep(60_000)]);
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`oauth bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    for (const c of children) c.kill();
    process.exit(1);
  },
);
