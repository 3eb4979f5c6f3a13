/**
 * bench:auth against a Credence that already runs elsewhere (BENCH_TARGET_URL and BENCH_ADMIN_KEY; see
 * auth.bench.ts). Fixtures come over the public API: one tenant, BENCH_USERS users, a service credential and
 * one session per refresh chain; the tenant is offboarded at the end. Phases 2 (introspection), 3 (refresh)
 * and the login half of 4 run from the same load clients as the local mode. Phases that need the app in this
 * process (1 verify/machine/mixed, the floors, BENCH_WORKERS, the bare argon2 hashes) are left out, and so
 * is the CPU split: this process cannot read the server's /proc or Postgres.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { Child, children } from './child';
import { round, sleep, Window } from './shared';
import { api, expectStatus, inPool, offboardTenants, REMOTE_CPU_NOTE, RemoteTarget, remoteTenant, remoteUsers, sourceRevision, table, writeResults } from '../shared/bench-kit';

export interface RemoteKnobs {
  SECONDS: number;
  WARM_S: number;
  USERS: number;
  REFRESH_CHAINS: number;
  INTROSPECT_CONNECTIONS: number;
  LOGIN_LOOPS: number;
  ONLY: Set<string>;
}

const log = (line: string) => process.stdout.write(`${line}\n`);
let ipSeq = 0;
/** A client address per sign-in, believed only when the server lists this machine in TRUSTED_PROXIES. */
const forwardedFor = () => ({ 'x-forwarded-for': `192.168.${(++ipSeq >> 8) & 255}.${ipSeq & 255}` });
const showWindow = (w: Window) =>
  `${w.per_s}/s (${w.ok} ok, ${w.errors} errors${w.errors ? ` ${JSON.stringify(w.error_kinds)}` : ''}), p50 ${w.p50_ms} ms, p90 ${w.p90_ms} ms, p99 ${w.p99_ms} ms, max ${w.max_ms} ms; client CPU ${w.cpu_s} s`;

/** A load client started, warmed for WARM_S, measured over SECONDS and stopped. */
async function window(k: RemoteKnobs, init: Parameters<typeof Child.start>[0]): Promise<{ window: Window; ended_loops?: number }> {
  const c = await Child.start(init);
  c.send({ cmd: 'start' });
  await sleep(k.WARM_S * 1000);
  await c.snapshot();
  await sleep(k.SECONDS * 1000);
  const w = await c.snapshot();
  const stop = await c.stop();
  return { window: w, ended_loops: stop.ended_loops };
}

export async function runRemote(target: RemoteTarget, k: RemoteKnobs): Promise<void> {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const started = new Date();
  const load = [loadavg().map((x) => round(x, 2))];
  const slug = `bench-auth-${runId.slice(-6)}`;
  const password = `bench ${randomBytes(9).toString('base64url')} staple`;
  log(`credence auth bench ${runId}, remote: ${target.url}, tenant ${slug}; ${k.SECONDS} s windows after ${k.WARM_S} s warm-up; load here ${load[0].join(' ')}`);
  log(`  ${REMOTE_CPU_NOTE}`);
  const onSignal = () => void offboardTenants(target, [slug], log).finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const results: Record<string, unknown> = {};
  try {
    const tenant = await remoteTenant(target, slug, password);
    const users = await remoteUsers(target, slug, tenant.admin, k.USERS, password);
    const emails = users.map((u) => u.email);
    const credential = await api<{ client_id: string; client_secret: string }>(target.url, 'POST', `/v1/t/${slug}/service-credentials`, { name: 'bench' }, tenant.admin);
    expectStatus(201, credential, 'service credential');
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(credential.body.client_id)}:${encodeURIComponent(credential.body.client_secret)}`).toString('base64')}`;
    const pairs: { access_token: string; refresh_token: string }[] = [];
    await inPool(k.REFRESH_CHAINS + 1, 4, async (i) => {
      const res = await api(target.url, 'POST', `/v1/t/${slug}/auth/login`, { email: emails[i % emails.length], password }, undefined, forwardedFor());
      expectStatus(200, res, `login ${emails[i % emails.length]}`);
      pairs[i] = res.body;
    });
    log(`  fixtures: tenant ${slug}, ${users.length} users, ${pairs.length} sessions, 1 service credential`);

    if (k.ONLY.has('introspect')) {
      const token = pairs[k.REFRESH_CHAINS].access_token;
      const probe = await fetch(`${target.url}/v1/t/${slug}/auth/introspect`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${encodeURIComponent(token)}`,
      });
      const expectBody = await probe.text();
      if (probe.status !== 200 || !(JSON.parse(expectBody) as { active: boolean }).active) throw new Error(`introspection probe answered ${probe.status}: ${expectBody}`);
      const base = { cmd: 'init', mode: 'introspect', url: target.url, slug, token, authorization: basic, connections: k.INTROSPECT_CONNECTIONS, expectBody } as const;
      await (await Child.start({ ...base, seconds: k.WARM_S })).next('autocannon');
      const { result: r, client_cpu_s } = await (await Child.start({ ...base, seconds: k.SECONDS })).next<{ result: any; client_cpu_s: number }>('autocannon');
      const ok = r['2xx'] - (r.mismatches ?? 0);
      const f = {
        per_s: round(ok / r.duration, 1),
        ok,
        non2xx: r.non2xx,
        mismatches: r.mismatches,
        errors: r.errors,
        timeouts: r.timeouts,
        p50_ms: r.latency.p50,
        p90_ms: r.latency.p90,
        p99_ms: r.latency.p99,
        max_ms: r.latency.max,
        client_cpu_s: round(client_cpu_s, 2),
      };
      log(
        `2  introspection over HTTP (autocannon, ${k.INTROSPECT_CONNECTIONS} connections): ${f.per_s}/s, p50 ${f.p50_ms} ms, p99 ${f.p99_ms} ms; non-2xx ${f.non2xx}, body mismatches ${f.mismatches}, errors ${f.errors}; client CPU ${f.client_cpu_s} s`,
      );
      results.introspection = { connections: k.INTROSPECT_CONNECTIONS, ...f };
    }
    if (k.ONLY.has('refresh')) {
      const chains = pairs.slice(0, k.REFRESH_CHAINS).map((p) => p.refresh_token);
      const r = await window(k, { cmd: 'init', mode: 'refresh', url: target.url, slug, refreshTokens: chains });
      log(`3  refresh over HTTP, ${chains.length} chains: ${showWindow(r.window)}; broken chains ${r.ended_loops ?? '?'}`);
      results.refresh = { chains: chains.length, ...r };
    }
    if (k.ONLY.has('login')) {
      const r = await window(k, { cmd: 'init', mode: 'login', url: target.url, slug, emails, password, concurrency: k.LOGIN_LOOPS });
      log(`4  password logins over HTTP (${k.LOGIN_LOOPS} loops): ${showWindow(r.window)} (no bare-hash ratio remotely: the hashes run on the server)`);
      results.logins = { loops: k.LOGIN_LOOPS, ...r };
    }

    load.push(loadavg().map((x) => round(x, 2)));
    const g = results as any;
    const rows: (string | number)[][] = [];
    if (g.introspection) rows.push(['introspections/s (HTTP)', g.introspection.per_s, g.introspection.p50_ms, g.introspection.p99_ms]);
    if (g.refresh) rows.push(['refreshes/s (HTTP)', g.refresh.window.per_s, g.refresh.window.p50_ms, g.refresh.window.p99_ms]);
    if (g.logins) rows.push(['password logins/s (HTTP)', g.logins.window.per_s, g.logins.window.p50_ms, g.logins.window.p99_ms]);
    log('');
    log(table(['figure (remote)', 'value', 'p50 ms', 'p99 ms'], rows));
    log(`load average here (the load generator) at start ${load[0].join(' ')}, at end ${load[1].join(' ')}; CPU split: not available remotely`);
    const file = writeResults('auth-remote', started, runId, {
      run_id: runId,
      mode: 'remote',
      target: target.url,
      source: sourceRevision(),
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      loadavg_start_end_load_generator: load,
      cpu: 'not available remotely',
      knobs: { ...k, ONLY: [...k.ONLY] },
      ...results,
    });
    log(`\nraw figures: ${file}`);
  } finally {
    for (const c of children) c.kill();
    await offboardTenants(target, [slug], log);
  }
}
