/**
 * SAML ACS benchmark (not a test): `npm run bench:saml`. Issue 12, item 8.
 *
 * Starts the real auth app in-process (createApp, as bench/oauth does) on its own database and Redis
 * prefix, creates one tenant, a confidential application and a SAML connection through the API (JIT
 * on), and signs USERS users in once each through the IdP (JIT creates them; not measured). A child
 * process (saml-client.ts) plays the browsers and the IdP: samlify answers each AuthnRequest with a
 * signed Response. Then, RUNS times, alternating which goes first:
 *   1. Credence, whole path: logins started and their Responses minted beforehand (outside the
 *      window), then POST /saml/acs (parse, every check, replay cache, InResponseTo taken) → GET
 *      /saml/continue (interaction and binding cookie, link lookup, attributes, CompleteInteraction,
 *      code) in CONCURRENCY closed loops: throughput, p50/p99, CPU per op (Node / Postgres / Redis);
 *   2. bare @node-saml/node-saml validatePostResponseAsync on the same Responses, in this process, one
 *      loop and CONCURRENCY loops: validations/s and CPU per op.
 * Then the ACS alone (no continue step), and the event-loop stall: while a steady load of whole
 * sign-ins runs, hostile requests (a 1 MB SAMLResponse, a 256 KB one of 40,000 elements, one just under
 * the 1,024-element limit that is parsed and checked, deflate bombs on
 * the SLO Redirect binding) with monitorEventLoopDelay in this (the app's) process.
 * Targets: Credence ≥ 0.7 × bare node-saml; no event-loop delay over 50 ms while the hostile requests
 * are refused.
 *
 * Knobs (environment): BENCH_SECONDS (10), BENCH_RUNS (3), BENCH_USERS (64), BENCH_CONCURRENCY (16),
 * BENCH_RESPONSES (first run's pool, 2500; later runs sized from the rate seen), BENCH_ONLY
 * (compare,acs,stall), BENCH_PROFILE=1 (a CPU profile of the event loop per Credence window, bench/results), BENCH_SERVER_URL,
 * REDIS_URL, BENCH_KEEP_DB=1.
 */
import 'reflect-metadata';
import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@credence/config';
import { dropDatabase, ensureDatabase } from '@credence/database';
import { newSpCredential } from '@credence/federation';
import { createApp } from '@credence/runtime';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { CpuMeter, CpuSplit, median, procTicks, round, sleep, Window } from '../auth/shared';
import { cleanRedis, countRoundTrips, profileWindow, sent, sourceRevision, table, traceReport, writeResults, SPARE_POOL_OFF } from '../shared/bench-kit';
import { bareSaml, BareWindow, runBare } from './bare-node-saml';
import type { HostileKind, Mode, SamlInit, SamlMessage, SamlTarget } from './saml-client';

const int = (name: string, fallback: number) => {
  const n = process.env[name] ? Number(process.env[name]) : fallback;
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
};
const SECONDS = int('BENCH_SECONDS', 10);
const RUNS = Math.max(1, int('BENCH_RUNS', 3));
const USERS = Math.max(1, int('BENCH_USERS', 64));
const CONCURRENCY = Math.max(1, int('BENCH_CONCURRENCY', 16));
const FIRST_POOL = int('BENCH_RESPONSES', 2500);
const KEEP_DB = process.env.BENCH_KEEP_DB === '1';
const SERVER_URL = process.env.BENCH_SERVER_URL ?? 'postgres://postgres@localhost:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
const ONLY = new Set((process.env.BENCH_ONLY ?? 'compare,acs,stall').split(',').map((s) => s.trim()));
const WARM_S = 2;
const PREPARE_LOOPS = 8;
const TARGETS = { ratio_to_bare: 0.7, event_loop_max_ms: 50 };
/** Never contacted: the load client reads the code from the 303's Location. */
const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const IDP_ENTITY_ID = 'https://idp.bench/metadata';
const IDP_SSO_URL = 'https://idp.bench/sso';

const ADMIN_KEY = `crd_bench_${randomBytes(24).toString('base64url')}`;
const PASSWORD = `bench ${randomBytes(9).toString('base64url')} staple`;
const log = (line: string) => process.stdout.write(`${line}\n`);

// ---------------------------------------------------------------- the browsers and the IdP (child process)

const children = new Set<ChildProcess>();

async function startClient(init: SamlInit) {
  const proc = fork(join(__dirname, `saml-client${__filename.slice(__filename.lastIndexOf('.'))}`), [], {
    execArgv: __filename.endsWith('.ts') ? ['-r', '@swc-node/register'] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(proc);
  proc.on('exit', () => children.delete(proc));
  const ask = <T>(m: SamlMessage, answer: string) =>
    new Promise<T>((resolve, reject) => {
      const on = (r: { type: string; message?: string }) => {
        if (r.type !== answer && r.type !== 'error') return;
        proc.off('message', on);
        if (r.type === 'error') reject(new Error(`load client failed: ${r.message}`));
        else resolve(r as T);
      };
      proc.on('message', on);
      proc.send(m);
    });
  await ask(init, 'ready');
  return {
    pid: proc.pid!,
    prepare: (logins: number) =>
      ask<{ logins: number; seconds: number; per_s: number; authorize_ms: number; idp_ms: number; responses: string[] }>(
        { cmd: 'prepare', logins, concurrency: PREPARE_LOOPS },
        'prepared',
      ),
    start: (mode: Mode, concurrency: number) => void proc.send({ cmd: 'start', mode, concurrency } satisfies SamlMessage),
    snapshot: () => ask<{ window: Window; left: number }>({ cmd: 'snapshot' }, 'window'),
    stop: () => ask<{ window: Window; left: number }>({ cmd: 'stop' }, 'stopped'),
    hostile: (kind: HostileKind, count: number) => ask<{ result: Record<string, unknown> }>({ cmd: 'hostile', kind, count }, 'hostiled'),
  };
}
type Client = Awaited<ReturnType<typeof startClient>>;

/** Warm-up, then one measured window with CPU and round trips per completed operation. */
async function measure(meter: CpuMeter, c: Client, mode: Mode) {
  c.start(mode, CONCURRENCY);
  await sleep(WARM_S * 1000);
  await c.snapshot();
  traceReport(1);
  const from = { ...sent };
  const main0 = mainThreadTicks();
  const profiled = profileWindow(`saml-${mode}`);
  meter.begin();
  await sleep(SECONDS * 1000);
  const { window, left } = await c.snapshot();
  const cpu = meter.end();
  const profile = await profiled();
  if (profile) process.stdout.write(`   CPU profile of the event loop: ${profile}\n`);
  const mainS = main0 === undefined ? undefined : ((mainThreadTicks() ?? main0) - main0) / 100;
  await c.stop();
  const ops = Math.max(1, window.ok);
  const ms = (s: number | undefined) => (s === undefined ? undefined : round((s * 1000) / ops, 3));
  const perOp = {
    pg_statements: round((sent.pg - from.pg) / ops, 2),
    redis_commands: round((sent.redis - from.redis) / ops, 2),
    cpu_ms: {
      node: ms(cpu?.app_s),
      // Of Node: the event loop's thread, and the rest (the SAML verification thread, GC and libuv helpers).
      node_main_thread: ms(mainS),
      node_other_threads: cpu && mainS !== undefined ? ms(cpu.app_s - mainS) : undefined,
      postgres: ms(cpu?.pg_s),
      redis: ms(cpu?.redis_s),
      load_client: ms(cpu?.children_s),
    },
  };
  if (process.env.BENCH_TRACE === '1') log(`   per op (BENCH_TRACE):\n${traceReport(ops)}`);
  const exhausted = window.error_kinds['pool empty: raise BENCH_RESPONSES'] !== undefined;
  return { window, per_op: perOp, cpu, responses_left: left, pool_exhausted: exhausted };
}
type Measured = Awaited<ReturnType<typeof measure>>;

/** CPU ticks of this process's main thread (the app's event loop): its task id is the process id. */
const mainThreadTicks = () => procTicks(`${process.pid}/task/${process.pid}`);

/** CPU of the app's side per op: Node + Postgres + Redis (the load client and the IdP are not the SP's). */
const spCpu = (m: Measured) => round((m.per_op.cpu_ms.node ?? NaN) + (m.per_op.cpu_ms.postgres ?? 0) + (m.per_op.cpu_ms.redis ?? 0), 3);

const showWindow = (w: Window) =>
  `${w.per_s}/s (${w.ok} ok, ${w.errors} errors${w.errors ? ` ${JSON.stringify(w.error_kinds)}` : ''}), p50 ${w.p50_ms} ms, p99 ${w.p99_ms} ms, max ${w.max_ms} ms`;
const showPerOp = (m: Measured, cpu?: CpuSplit) =>
  `per op: Node ${m.per_op.cpu_ms.node} ms (event loop ${m.per_op.cpu_ms.node_main_thread}, other threads ${m.per_op.cpu_ms.node_other_threads}) + Postgres ${m.per_op.cpu_ms.postgres} ms + Redis ${m.per_op.cpu_ms.redis} ms CPU (load client ${m.per_op.cpu_ms.load_client} ms), ` +
  `${m.per_op.pg_statements} SQL statements, ${m.per_op.redis_commands} Redis commands; others on the machine ${cpu?.others_s ?? '?'} CPU-s`;
const showBare = (b: BareWindow) =>
  `${b.per_s}/s (${b.ok} ok, ${b.errors} errors${b.errors ? ` ${JSON.stringify(b.error_kinds)}` : ''}), p50 ${b.p50_ms} ms, p99 ${b.p99_ms} ms, CPU ${b.cpu_ms_per_op} ms/op`;

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

/** A tenant, a confidential app, the IdP's key pair, and a SAML connection to that IdP with JIT on. */
async function fixtures(url: string, runId: string): Promise<{ target: SamlTarget; acsUrl: string; spEntityId: string }> {
  const slug = `bench-saml-${runId.slice(-6)}`;
  const admin = `admin@${slug}.example`;
  await call(url, 'POST', '/v1/admin/tenants', { slug, name: 'SAML bench', admin: { email: admin, password: PASSWORD } }, `Bearer ${ADMIN_KEY}`);
  const { access_token } = await call<{ access_token: string }>(url, 'POST', `/v1/t/${slug}/auth/login`, { email: admin, password: PASSWORD });
  const bearer = `Bearer ${access_token}`;
  const app = await call<{ client_id: string }>(url, 'POST', `/v1/t/${slug}/applications`, { name: 'SAML bench', type: 'confidential', redirect_uris: [REDIRECT_URI] }, bearer);
  const { privateKeyPem: idpKey, certificatePem: idpCert } = await newSpCredential('Bench IdP', 'signing');
  const connection = await call<{ id: string; saml: { acs_url: string; sp_entity_id: string; slo_url: string; sp_metadata_url: string } }>(
    url,
    'POST',
    `/v1/t/${slug}/connections`,
    {
      type: 'saml',
      name: 'Bench IdP',
      jit: { enabled: true, default_roles: [] },
      saml: { idp_entity_id: IDP_ENTITY_ID, idp_sso_url: IDP_SSO_URL, idp_certificates: [idpCert] },
    },
    bearer,
  );
  const path = (u: string) => new URL(u).pathname;
  const target: SamlTarget = {
    url,
    slug,
    clientId: app.client_id,
    redirectUri: REDIRECT_URI,
    connectionId: connection.id,
    acsPath: path(connection.saml.acs_url),
    sloPath: path(connection.saml.slo_url),
    metadataPath: path(connection.saml.sp_metadata_url),
    idpEntityId: IDP_ENTITY_ID,
    idpSsoUrl: IDP_SSO_URL,
    idpKey,
    idpCert,
    users: Array.from({ length: USERS }, (_, i) => `user${i}@corp-${slug}.example`),
  };
  log(`  fixtures: tenant ${slug}, confidential app ${app.client_id}, SAML connection ${connection.id} (JIT on), ACS ${connection.saml.acs_url}`);
  return { target, acsUrl: connection.saml.acs_url, spEntityId: connection.saml.sp_entity_id };
}

/** Runs the whole sign-in for every prepared login until none is left (JIT's first logins: not metered). */
async function drain(c: Client): Promise<{ ok: number; errors: number; error_kinds: Record<string, number>; seconds: number }> {
  const t0 = performance.now();
  const total = { ok: 0, errors: 0, error_kinds: {} as Record<string, number> };
  const add = (w: Window) => {
    total.ok += w.ok;
    for (const [k, n] of Object.entries(w.error_kinds)) {
      if (k.startsWith('pool empty')) continue; // how each loop ends once every login is used
      total.errors += n;
      total.error_kinds[k] = (total.error_kinds[k] ?? 0) + n;
    }
  };
  c.start('full', CONCURRENCY);
  for (;;) {
    await sleep(200);
    const { window, left } = await c.snapshot();
    add(window);
    if (left === 0) break;
  }
  add((await c.stop()).window);
  return { ...total, seconds: round((performance.now() - t0) / 1000, 2) };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const server = new URL(SERVER_URL);
  server.pathname = `/credence_bench_saml_${runId}`;
  const databaseUrl = server.toString();
  const database = server.pathname.slice(1);
  const redisPrefix = `credence-bench-saml-${runId.replace(/_/g, '-')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'credence-bench-saml-'));
  const started = new Date();
  const load = [loadavg().map((x) => round(x, 2))];
  // As bench/oauth: production defaults; TRUSTED_PROXIES so clients can present one address per request.
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
    // Passed through to compare thread counts (`SAML_VERIFY_THREADS=2 npm run bench:saml`); the default otherwise.
    ...(process.env.SAML_VERIFY_THREADS ? { SAML_VERIFY_THREADS: process.env.SAML_VERIFY_THREADS } : {}),
  };
  const { config } = loadConfig(env);
  log(
    `credence saml bench ${runId}: database ${database}, redis prefix ${redisPrefix}; ${RUNS} runs of ${SECONDS} s windows after ${WARM_S} s warm-up; load ${load[0].join(' ')}`,
  );

  countRoundTrips();
  await ensureDatabase(databaseUrl);
  const cleanUp = async () => {
    for (const c of children) c.kill('SIGKILL');
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
    const { target, acsUrl, spEntityId } = await fixtures(url, runId);
    const meter = new CpuMeter(database, () => [...children].map((ch) => ch.pid!).filter(Boolean));
    const c = await startClient({ cmd: 'init', target });

    // Every user signs in once: JIT creates them, so the measured sign-ins are returning users.
    const firsts = await c.prepare(USERS);
    const jit = await drain(c);
    log(
      `0  ${USERS} first sign-ins (JIT), not metered: ${jit.ok} ok, ${jit.errors} errors in ${jit.seconds} s; logins prepared at ${firsts.per_s}/s (authorize ${firsts.authorize_ms} ms, IdP ${firsts.idp_ms} ms each)`,
    );
    if (jit.errors) throw new Error(`first sign-ins failed: ${JSON.stringify(jit.error_kinds)}`);
    results.first_sign_ins = { users: USERS, window: jit, prepare: { ...firsts, responses: undefined } };

    const sample = Buffer.from(firsts.responses[0], 'base64').toString('utf8');
    const responseSigned = /<samlp:Response[^>]*>\s*<saml:Issuer[^<]*<\/saml:Issuer>\s*<(ds:)?Signature/.test(sample);
    const assertionSigned = /<saml:Assertion[^>]*>\s*<saml:Issuer[^<]*<\/saml:Issuer>\s*<(ds:)?Signature/.test(sample);
    log(`   samlify signs: Response ${responseSigned}, assertion ${assertionSigned}; ${Buffer.byteLength(sample)} bytes of XML`);
    const bare = bareSaml({ acsUrl, spEntityId, idpEntityId: IDP_ENTITY_ID, idpSsoUrl: IDP_SSO_URL, idpCert: target.idpCert, responseSigned });
    results.responses = { response_signed: responseSigned, assertion_signed: assertionSigned, xml_bytes: Buffer.byteLength(sample) };

    const poolFor = (perS: number | undefined) => (perS ? Math.ceil(perS * (WARM_S + SECONDS) * 1.3) + 200 : FIRST_POOL);

    if (ONLY.has('compare')) {
      results.runs = [];
      let rate: number | undefined;
      for (let run = 1; run <= RUNS; run++) {
        const bareFirst = run % 2 === 0;
        const prepared = await c.prepare(poolFor(rate));
        log(
          `\nrun ${run}: ${prepared.logins} logins started and answered by the IdP in ${prepared.seconds} s (${prepared.per_s}/s, not metered); ${bareFirst ? 'bare node-saml first' : 'Credence first'}`,
        );
        const out: Record<string, any> = { run, order: bareFirst ? 'bare first' : 'credence first', prepared: { logins: prepared.logins, seconds: prepared.seconds } };
        const doBare = async () => {
          await sleep(1000); // the relay publishes the last sign-ins' events
          meter.begin();
          out.bare_1 = await runBare(bare, prepared.responses, 1, SECONDS, 1);
          const quiet = meter.end();
          out.bare_1_background = { pg_s: quiet?.pg_s, redis_s: quiet?.redis_s };
          out.bare_c = await runBare(bare, prepared.responses, CONCURRENCY, SECONDS, 1);
          log(`   bare node-saml, 1 loop: ${showBare(out.bare_1)}; Postgres ${quiet?.pg_s} CPU-s meanwhile\n   bare node-saml, ${CONCURRENCY} loops: ${showBare(out.bare_c)}`);
        };
        const doCredence = async () => {
          out.credence = await measure(meter, c, 'full');
          log(
            `   Credence ACS + continue, ${CONCURRENCY} loops: ${showWindow(out.credence.window)}${out.credence.pool_exhausted ? ' (pool ran dry: a lower bound)' : ''}\n   ${showPerOp(out.credence, out.credence.cpu)}`,
          );
          rate = out.credence.window.per_s;
        };
        if (bareFirst) {
          await doBare();
          await doCredence();
        } else {
          await doCredence();
          await doBare();
        }
        out.ratio = {
          throughput: round(out.credence.window.per_s / out.bare_1.per_s, 3),
          // The same 16 loops on both sides; node-saml is synchronous, so 1 or 16 loops differ only by noise.
          throughput_same_concurrency: round(out.credence.window.per_s / out.bare_c.per_s, 3),
          cpu_per_op_bare_over_credence: round(out.bare_1.cpu_ms_per_op / spCpu(out.credence), 3),
          credence_sp_cpu_ms: spCpu(out.credence),
        };
        log(
          `   ratio Credence ÷ bare: throughput ${out.ratio.throughput} (against ${CONCURRENCY} bare loops ${out.ratio.throughput_same_concurrency}), CPU per op (bare ÷ Credence Node+PG+Redis) ${out.ratio.cpu_per_op_bare_over_credence}`,
        );
        results.runs.push(out);
      }
    }

    if (ONLY.has('acs')) {
      const rate = results.runs ? median(results.runs.map((r: any) => r.credence.window.per_s)) * 2 : undefined;
      const prepared = await c.prepare(poolFor(rate));
      const r = await measure(meter, c, 'acs');
      log(`\nACS alone (POST, no continue), ${CONCURRENCY} loops: ${showWindow(r.window)}${r.pool_exhausted ? ' (pool ran dry: a lower bound)' : ''}\n   ${showPerOp(r, r.cpu)}`);
      results.acs_alone = { prepared: { logins: prepared.logins, seconds: prepared.seconds }, ...r, sp_cpu_ms: spCpu(r) };
    }

    if (ONLY.has('stall')) {
      const hostiles: [HostileKind, number][] = [
        ['acs_1mb', 20],
        ['acs_256kb_parsed', 5],
        ['acs_near_limit', 20],
        ['slo_bomb_unsigned', 20],
        ['slo_bomb_signed', 20],
      ];
      const rate = results.runs ? median(results.runs.map((r: any) => r.credence.window.per_s)) : 150;
      await c.prepare(Math.ceil(rate * 25) + 200);
      const histogram = monitorEventLoopDelay({ resolution: 2 });
      const read = () => ({ max_ms: round(histogram.max / 1e6, 1), p99_ms: round(histogram.percentile(99) / 1e6, 1), mean_ms: round(histogram.mean / 1e6, 2) });
      c.start('full', CONCURRENCY);
      await sleep(1000);
      histogram.enable();
      await sleep(3000);
      histogram.disable();
      const stall: Record<string, any> = { steady_load_only: read() };
      histogram.reset();
      log(`\nevent loop under steady sign-ins (${CONCURRENCY} loops), 3 s: ${JSON.stringify(stall.steady_load_only)}`);
      for (const [kind, count] of hostiles) {
        histogram.enable();
        const { result } = await c.hostile(kind, count);
        histogram.disable();
        stall[kind] = { ...result, event_loop: read() };
        histogram.reset();
        log(
          `   ${kind} ×${count} (${result.request_bytes} bytes): answered ${JSON.stringify(result.statuses)}, p50 ${result.p50_ms} ms, max ${result.max_ms} ms; event loop ${JSON.stringify(stall[kind].event_loop)}`,
        );
      }
      stall.load_during = (await c.stop()).window;
      log(`   sign-ins meanwhile: ${showWindow(stall.load_during)}`);
      results.stall = stall;
    }

    load.push(loadavg().map((x) => round(x, 2)));
    const verdict = (ok: boolean) => (ok ? 'MET' : 'MISSED');
    const rows: (string | number)[][] = [];
    if (results.runs) {
      const med = (f: (r: any) => number) => round(median(results.runs.map(f)), 3);
      const ratio = med((r) => r.ratio.throughput);
      rows.push(
        ['Credence ACS + continue /s', med((r) => r.credence.window.per_s), '-', ''],
        ['  p50 / p99 ms', `${med((r) => r.credence.window.p50_ms)} / ${med((r) => r.credence.window.p99_ms)}`, '-', ''],
        ['  CPU per op ms (Node+PG+Redis)', med((r) => spCpu(r.credence)), '-', ''],
        [
          '    of which event loop / other Node threads',
          `${med((r) => r.credence.per_op.cpu_ms.node_main_thread)} / ${med((r) => r.credence.per_op.cpu_ms.node_other_threads)}`,
          '-',
          '',
        ],
        [
          '    Postgres / Redis / (load client)',
          `${med((r) => r.credence.per_op.cpu_ms.postgres)} / ${med((r) => r.credence.per_op.cpu_ms.redis)} / (${med((r) => r.credence.per_op.cpu_ms.load_client)})`,
          '-',
          '',
        ],
        ['  SQL statements / Redis commands per op', `${med((r) => r.credence.per_op.pg_statements)} / ${med((r) => r.credence.per_op.redis_commands)}`, '-', ''],
        ['bare node-saml /s (1 loop)', med((r) => r.bare_1.per_s), '-', ''],
        [`bare node-saml /s (${CONCURRENCY} loops)`, med((r) => r.bare_c.per_s), '-', ''],
        ['  CPU per op ms', med((r) => r.bare_1.cpu_ms_per_op), '-', ''],
        ['ratio Credence / bare (throughput)', ratio, `>= ${TARGETS.ratio_to_bare}`, verdict(ratio >= TARGETS.ratio_to_bare)],
        [
          `  the same against ${CONCURRENCY} bare loops`,
          med((r) => r.ratio.throughput_same_concurrency),
          `>= ${TARGETS.ratio_to_bare}`,
          verdict(med((r) => r.ratio.throughput_same_concurrency) >= TARGETS.ratio_to_bare),
        ],
        [
          'ratio bare / Credence (CPU per op)',
          med((r) => r.ratio.cpu_per_op_bare_over_credence),
          `>= ${TARGETS.ratio_to_bare}`,
          verdict(med((r) => r.ratio.cpu_per_op_bare_over_credence) >= TARGETS.ratio_to_bare),
        ],
      );
    }
    if (results.acs_alone) rows.push(['ACS alone /s', results.acs_alone.window.per_s, '-', '']);
    if (results.stall) {
      const worst = Math.max(...hostileKinds(results.stall).map((k) => results.stall[k].event_loop.max_ms));
      rows.push(['event-loop max ms, hostile requests', worst, `< ${TARGETS.event_loop_max_ms}`, verdict(worst < TARGETS.event_loop_max_ms)]);
    }
    log(`\n${table(['figure', 'value (median)', 'target', ''], rows)}\nload average at start ${load[0].join(' ')}, at end ${load[1].join(' ')}`);
    const file = writeResults('saml', started, runId, {
      run_id: runId,
      source: sourceRevision(),
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      machine: { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', ram_gib: round(totalmem() / 2 ** 30, 1), node: process.version },
      loadavg_start_end: load,
      knobs: { SECONDS, WARM_S, RUNS, USERS, CONCURRENCY, FIRST_POOL },
      config: { db_pool_max: config.DB_POOL_MAX, saml_verify_threads: config.SAML_VERIFY_THREADS, saml_verify_queue: config.SAML_VERIFY_QUEUE },
      targets: TARGETS,
      ...results,
    });
    log(`\nraw figures: ${file}`);
  } finally {
    if (app) await Promise.race([app.close().catch((err) => log(`app close failed: ${err}`)), sleep(60_000)]);
    await cleanUp();
  }
}

const hostileKinds = (stall: Record<string, unknown>) => Object.keys(stall).filter((k) => k.startsWith('acs_') || k.startsWith('slo_'));

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`saml bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    for (const ch of children) ch.kill();
    process.exit(1);
  },
);
