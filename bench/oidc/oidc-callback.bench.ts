/**
 * OIDC callback benchmark (not a test): `npm run bench:oidc`. Issue 13, item 6.
 *
 * Starts the real auth app in-process on its own database and Redis prefix, oidc-provider (a real
 * OpenID Provider, test/support/oidc-idp-server.mjs) in a child process, one tenant, a confidential
 * application and an OIDC connection (JIT on, client_secret_basic) through the API. USERS users sign
 * in once (JIT creates them; not measured). Then, RUNS times, alternating which goes first, with a
 * pool of sign-ins prepared outside the window (authorize at Credence → login at oidc-provider → the
 * callback URL with a code; codes live 60 s, so the window is short):
 *   1. Credence: GET <redirect_uri>?code&state&iss with the binding cookie (state taken, interaction,
 *      code exchanged at oidc-provider, ID token signature and claims, userinfo, FederatedSignIn,
 *      CompleteInteraction, the app's code) in CONCURRENCY closed loops;
 *   2. bare openid-client: authorizationCodeGrant (with enableNonRepudiationChecks, as Credence) on
 *      codes oidc-provider issued to a second client, in CONCURRENCY closed loops.
 * Both talk to the same oidc-provider, whose CPU is part of each figure. Prints callbacks/s, the
 * ratio (target ≥ 0.7) and Postgres statements / Redis commands per Credence callback.
 *
 * oidc-provider puts the e-mail and names in the ID token (as Entra ID, Okta and Google do), so
 * Credence reads no userinfo; BENCH_USERINFO=1 keeps them in userinfo only (one more request per
 * Credence callback, none for the bare client).
 *
 * Knobs: BENCH_USERINFO, BENCH_RUNS (3), BENCH_USERS (32), BENCH_CONCURRENCY (8), BENCH_POOL (600; Credence's sign-ins per window),
 * BENCH_BARE_POOL (2000: the bare grant runs out of 600 codes within a window on a quiet machine), BENCH_PROFILE=1 (a CPU profile of each Credence window),
 * BENCH_DATABASE_URL (BENCH_SERVER_URL, its old name, is still read), REDIS_URL, BENCH_KEEP_DB=1, BENCH_TRACE=1 (statements and commands per callback, by text).
 */
import 'reflect-metadata';
import * as client from 'openid-client';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@credence/config';
import { dropDatabase, ensureDatabase } from '@credence/database';
import { createApp } from '@credence/runtime';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
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
import { startOidcIdp, TestOidcIdp } from '../../test/support/oidc-idp';

const int = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const SECONDS = int('BENCH_SECONDS', 5);
const RUNS = Math.max(1, int('BENCH_RUNS', 3));
const USERS = Math.max(1, int('BENCH_USERS', 32));
const CONCURRENCY = Math.max(1, int('BENCH_CONCURRENCY', 8));
const POOL = int('BENCH_POOL', 600);
const BARE_POOL = int('BENCH_BARE_POOL', 2000);
const SERVER_URL = benchDatabaseServer();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
const BASE = 'http://credence.bench';
const APP_REDIRECT = 'http://127.0.0.1:9/callback';
const BARE_REDIRECT = 'http://127.0.0.1:9/bare';
const ADMIN_KEY = `crd_bench_${randomBytes(24).toString('base64url')}`;
const PASSWORD = `bench ${randomBytes(9).toString('base64url')} staple`;
/** CPU of this process (app, driver and, for bare, the client) since `from`, per operation; oidc-provider's own CPU is in its child process. */
const cpuMsPerOp = (from: NodeJS.CpuUsage, ops: number) => {
  const d = process.cpuUsage(from);
  return +((d.user + d.system) / 1000 / Math.max(1, ops)).toFixed(3);
};
const perOp = (ms: Record<string, number>, ops: number) => Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, +(v / Math.max(1, ops)).toFixed(2)]));
const showPerOp = (m: Record<string, number>) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
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

interface Prepared {
  callback: string;
  binding: string;
}

/** Closed loops over a pool until the window ends: completed operations per second. */
async function loops<T>(pool: T[], concurrency: number, seconds: number, op: (item: T) => Promise<boolean>) {
  const end = performance.now() + seconds * 1000;
  let ok = 0;
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end && pool.length) {
        const item = pool.pop()!;
        if (await op(item).catch(() => false)) ok++;
        else errors++;
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  return { ok, errors, per_s: Math.round(ok / s), pool_left: pool.length };
}

async function main() {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const server = new URL(SERVER_URL);
  server.pathname = `/credence_bench_oidc_${runId}`;
  const databaseUrl = server.toString();
  const redisPrefix = `credence-bench-oidc-${runId.replace(/_/g, '-')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'credence-bench-oidc-'));
  const started = new Date();
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    CREDENCE_DATA_DIR: dataDir,
    CREDENCE_ADMIN_KEY: ADMIN_KEY,
    CREDENCE_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...SPARE_POOL_OFF,
    CREDENCE_BASE_URL: BASE,
    LOG_LEVEL: 'silent',
    // Every prepared sign-in starts at /oauth2/authorize from this one address: the per-IP limit would refuse the pool.
    AUTHORIZE_IP_LIMIT_PER_MINUTE: '100000000',
  };
  const { config } = loadConfig(env);
  log(
    `credence oidc bench ${runId}: ${RUNS} runs of ${SECONDS} s, concurrency ${CONCURRENCY}; load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  countRoundTrips();
  await ensureDatabase(databaseUrl);
  let app: NestFastifyApplication | undefined;
  let idp: TestOidcIdp | undefined;
  const results: Record<string, unknown> = { source: sourceRevision(), concurrency: CONCURRENCY, seconds: SECONDS, runs: [] as unknown[] };
  try {
    app = await createApp(config, 'bench', [AuthAppModule]);
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const local = (u: string) => u.replace(BASE, url);
    idp = await startOidcIdp({ claimsInIdToken: process.env.BENCH_USERINFO !== '1' });

    const slug = `bench-oidc-${runId.slice(-6)}`;
    const admin = `admin@${slug}.example`;
    await call(url, 'POST', '/v1/admin/tenants', { slug, name: 'OIDC bench', admin: { email: admin, password: PASSWORD } }, `Bearer ${ADMIN_KEY}`);
    const { access_token } = await call<{ access_token: string }>(url, 'POST', `/v1/t/${slug}/auth/login`, { email: admin, password: PASSWORD });
    const bearer = `Bearer ${access_token}`;
    const rp = await call<{ client_id: string }>(url, 'POST', `/v1/t/${slug}/applications`, { name: 'bench', type: 'confidential', redirect_uris: [APP_REDIRECT] }, bearer);
    const secret = randomBytes(24).toString('base64url');
    const conn = await call<{ id: string; oidc: { redirect_uri: string } }>(
      url,
      'POST',
      `/v1/t/${slug}/connections`,
      { type: 'oidc', name: 'oidc-provider', jit: { enabled: true, default_roles: [] }, oidc: { issuer: idp.issuer, client_id: 'credence', client_secret: secret } },
      bearer,
    );
    await idp.addClient({ client_id: 'credence', client_secret: secret, redirect_uris: [conn.oidc.redirect_uri], grant_types: ['authorization_code'] });
    await idp.addClient({ client_id: 'bare', client_secret: secret, redirect_uris: [BARE_REDIRECT], grant_types: ['authorization_code'] });
    const users = Array.from({ length: USERS }, (_, i) => `user${i}@${slug}.example`);

    const authorizeUrl = (state: string) =>
      `${url}/v1/t/${slug}/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: rp.client_id, redirect_uri: APP_REDIRECT, scope: 'openid email profile', state, nonce: state, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuKZWbM6ZkI', code_challenge_method: 'S256', connection: conn.id })}`;
    const prepareFailures: string[] = [];
    async function prepareCredence(n: number): Promise<Prepared[]> {
      const out: Prepared[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = w; i < n; i += 8) {
            const res = await fetch(authorizeUrl(randomBytes(8).toString('hex')), { redirect: 'manual' });
            const binding = res.headers
              .getSetCookie()
              .find((c) => c.startsWith('credence_binding='))
              ?.split(';')[0];
            const location = res.headers.get('location');
            if (!binding || !location) {
              // Not a sign-in to measure (the machine may be too busy to answer in time): skipped, and counted.
              prepareFailures.push(`${res.status} ${(await res.text()).slice(0, 160)}`);
              continue;
            }
            const back = await idp!.signIn(location, users[i % users.length]);
            out.push({ callback: local(back.href), binding });
          }
        }),
      );
      return out;
    }
    const credenceCallback = async (p: Prepared) => (await fetch(p.callback, { redirect: 'manual', headers: { cookie: p.binding } })).status === 303;

    const bare = await client.discovery(new URL(idp.issuer), 'bare', secret, client.ClientSecretBasic(secret), { execute: [client.allowInsecureRequests] });
    client.enableNonRepudiationChecks(bare);
    async function prepareBare(n: number) {
      const out: { callback: URL; verifier: string; state: string; nonce: string }[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = w; i < n; i += 8) {
            const verifier = client.randomPKCECodeVerifier();
            const state = client.randomState();
            const nonce = client.randomNonce();
            const authUrl = client.buildAuthorizationUrl(bare, {
              redirect_uri: BARE_REDIRECT,
              scope: 'openid email profile',
              state,
              nonce,
              code_challenge: await client.calculatePKCECodeChallenge(verifier),
              code_challenge_method: 'S256',
            });
            out.push({ callback: await idp!.signIn(authUrl.href, users[i % users.length]), verifier, state, nonce });
          }
        }),
      );
      return out;
    }
    const bareGrant = async (p: { callback: URL; verifier: string; state: string; nonce: string }) => {
      const tokens = await client.authorizationCodeGrant(bare, p.callback, {
        pkceCodeVerifier: p.verifier,
        expectedState: p.state,
        expectedNonce: p.nonce,
        idTokenExpected: true,
      });
      return !!tokens.claims();
    };

    const firsts = await loops(await prepareCredence(USERS), CONCURRENCY, 600, credenceCallback);
    log(`0  ${USERS} first sign-ins (JIT), not metered: ${firsts.ok} ok, ${firsts.errors} errors`);

    const rows: (string | number)[][] = [];
    for (let run = 1; run <= RUNS; run++) {
      const bareFirst = run % 2 === 0;
      const measureCredence = async () => {
        const pool = await prepareCredence(POOL);
        if (prepareFailures.length) log(`${prepareFailures.length} authorize requests gave no sign-in to measure, first: ${prepareFailures[0]}`);
        prepareFailures.length = 0;
        const from = { ...sent };
        traceReport(1);
        const peers = await peerCpu(databaseUrl, REDIS_URL);
        const cpu = process.cpuUsage();
        const stopProfile = profileWindow('oidc-credence');
        const w = await loops(pool, CONCURRENCY, SECONDS, credenceCallback);
        const cpu_ms_per_op = cpuMsPerOp(cpu, w.ok);
        const by_process = perOp(peers.stop(), w.ok);
        const profile = await stopProfile();
        if (profile) log(`cpu profile of the Credence window: ${profile}`);
        if (process.env.BENCH_TRACE === '1') log(`per callback (BENCH_TRACE):\n${traceReport(Math.max(1, w.ok))}`);
        return {
          ...w,
          cpu_ms_per_op,
          by_process,
          pg_per_op: +((sent.pg - from.pg) / Math.max(1, w.ok)).toFixed(2),
          redis_per_op: +((sent.redis - from.redis) / Math.max(1, w.ok)).toFixed(2),
        };
      };
      const measureBare = async () => {
        const pool = await prepareBare(BARE_POOL);
        const peers = await peerCpu(databaseUrl, REDIS_URL);
        const cpu = process.cpuUsage();
        const w = await loops(pool, CONCURRENCY, SECONDS, bareGrant);
        return { ...w, cpu_ms_per_op: cpuMsPerOp(cpu, w.ok), by_process: perOp(peers.stop(), w.ok) };
      };
      const [b, c] = bareFirst ? [await measureBare(), await measureCredence()] : [undefined, await measureCredence()];
      const bareW = b ?? (await measureBare());
      const ratio = +(c.per_s / Math.max(1, bareW.per_s)).toFixed(2);
      (results.runs as unknown[]).push({ run, credence: c, bare: bareW, ratio });
      log(`run ${run}: CPU ms per op by process (children = oidc-provider): Credence ${showPerOp(c.by_process)}; bare ${showPerOp(bareW.by_process)}`);
      rows.push([
        run,
        `${c.per_s}/s (${c.errors} err, pool left ${c.pool_left})`,
        `${bareW.per_s}/s (${bareW.errors} err, pool left ${bareW.pool_left})`,
        ratio,
        c.pg_per_op,
        c.redis_per_op,
        `${c.cpu_ms_per_op} / ${bareW.cpu_ms_per_op}`,
      ]);
    }
    const runsOut = results.runs as { ratio: number; credence: { per_s: number; pool_left: number }; bare: { per_s: number; pool_left: number } }[];
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
    if (runsOut.some((r) => r.credence.pool_left === 0 || r.bare.pool_left === 0))
      log('a pool ran out before its window ended: that side stopped early (raise BENCH_POOL / BENCH_BARE_POOL)');
    log(
      `median of ${RUNS}: Credence ${median(runsOut.map((r) => r.credence.per_s))}/s, bare ${median(runsOut.map((r) => r.bare.per_s))}/s, ratio ${median(runsOut.map((r) => r.ratio))} (aim ≥ 0.7); load ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    log(table(['run', 'Credence callbacks', 'bare authorizationCodeGrant', 'ratio (≥ 0.7)', 'SQL/op', 'Redis/op', 'CPU ms/op of this process: Credence / bare'], rows));
    log(`results: ${writeResults('oidc', started, runId, results)}`);
  } finally {
    await app?.close().catch(() => undefined);
    await idp?.close();
    if (process.env.BENCH_KEEP_DB !== '1') await dropDatabase(databaseUrl).catch((err) => log(`drop database failed: ${err}`));
    await cleanRedis(REDIS_URL, redisPrefix).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  log(`bench failed: ${err?.stack ?? err}`);
  process.exit(1);
});
