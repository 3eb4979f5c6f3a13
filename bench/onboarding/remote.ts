/**
 * bench:onboarding against a Credence that already runs elsewhere (BENCH_TARGET_URL and BENCH_ADMIN_KEY; see
 * onboarding.bench.ts). Phases A, the fill and B run over the public admin API as in the local mode, with
 * "present" counting the tenants this run onboarded (the server's own come on top). Phase C (the migrator),
 * the bare references, the SQL profile, the spare pool's fill level and the CPU split need the server's
 * database or /proc and are left out. Every tenant the run onboarded is offboarded at the end.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { api, inPool, latencies, offboardTenants, REMOTE_CPU_NOTE, RemoteTarget, sourceRevision, table, writeResults } from '../shared/bench-kit';

export interface RemoteKnobs {
  ONBOARD_N: number;
  PRESENT: number;
  CONCURRENCY: number;
  /** Seconds to wait before each measured phase, so that the server's spare pool can refill (unseen from here). */
  SETTLE_S: number;
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function runRemote(target: RemoteTarget, k: RemoteKnobs): Promise<void> {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const tag = runId.slice(-4);
  const started = new Date();
  const load = [loadavg().map((x) => round(x, 2))];
  const created: string[] = [];
  let seq = 0;
  log(`credence onboarding bench ${runId}, remote: ${target.url}; load here ${load[0].join(' ')}`);
  log(`  ${REMOTE_CPU_NOTE}`);
  const onSignal = () => void offboardTenants(target, created, log).finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const phase = async (name: string, n: number, concurrency: number, withPassword: boolean, label: string) => {
    const presentBefore = created.length;
    const ms: number[] = [];
    const t0 = performance.now();
    await inPool(n, concurrency, async () => {
      const slug = `b-${tag}-${label}-${++seq}`;
      const admin = withPassword ? { email: `admin@${slug}.example`, password: 'correct horse battery staple' } : { email: `admin@${slug}.example` };
      const t = performance.now();
      const res = await api(target.url, 'POST', '/v1/admin/tenants', { slug, name: `Bench ${seq}`, admin }, `Bearer ${target.adminKey}`);
      ms.push(performance.now() - t);
      if (res.status === 201) created.push(slug);
      if (res.status !== 201) throw new Error(`onboarding ${slug} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
    });
    const wall = (performance.now() - t0) / 1000;
    const p = { ...latencies(ms), name, n, concurrency, with_password: withPassword, present_before: presentBefore, wall_s: round(wall, 2), tenants_per_s: round(n / wall) };
    log(`  ${name}: p50 ${p.p50_ms} ms, p99 ${p.p99_ms} ms, ${p.tenants_per_s} tenants/s (${n} in ${p.wall_s} s)`);
    return p;
  };
  const settle = () => new Promise((r) => setTimeout(r, k.SETTLE_S * 1000));

  try {
    await phase('warm-up', 5, 1, true, 'w');
    const phases = [];
    await settle();
    phases.push(await phase('A sequential', k.ONBOARD_N, 1, true, 'a'));
    await settle();
    phases.push(await phase(`A concurrency ${k.CONCURRENCY}`, k.ONBOARD_N, k.CONCURRENCY, true, 'a'));
    const fill = await phase(`fill (invite-only admins, no argon2) concurrency ${k.CONCURRENCY}`, Math.max(0, k.PRESENT - created.length), k.CONCURRENCY, false, 'f');
    await settle();
    phases.push(await phase('B sequential', k.ONBOARD_N, 1, true, 'b'));
    await settle();
    phases.push(await phase(`B concurrency ${k.CONCURRENCY}`, k.ONBOARD_N, k.CONCURRENCY, true, 'b'));
    load.push(loadavg().map((x) => round(x, 2)));
    log('');
    log(
      table(
        ['phase (remote)', 'present (this run)', 'n', 'conc', 'p50 ms', 'p99 ms', 'tenants/s'],
        [...phases, fill].map((p) => [p.name.replace(/ \(.*\)/, ' (no argon2)'), p.present_before, p.n, p.concurrency, p.p50_ms, p.p99_ms, p.tenants_per_s]),
      ),
    );
    log(`load average here (the load generator) at start ${load[0].join(' ')}, at end ${load[1].join(' ')}; CPU split: not available remotely`);
    const file = writeResults('onboarding-remote', started, runId, {
      run_id: runId,
      mode: 'remote',
      target: target.url,
      source: sourceRevision(),
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      loadavg_start_end_load_generator: load,
      cpu: 'not available remotely',
      knobs: k,
      onboarding: phases,
      fill,
    });
    log(`\nraw figures: ${file}`);
  } finally {
    await offboardTenants(target, created, log);
  }
}
