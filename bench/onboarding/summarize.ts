/**
 * Medians over several onboarding bench runs, as Markdown:
 *   node dist/bench/onboarding/summarize.js [bench/results/onboarding-*.json ...]
 * Without arguments, every full-size run (default knobs) found in bench/results/.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

interface Phase {
  name: string;
  present_before: number;
  n: number;
  concurrency: number;
  p50_ms: number;
  p95_ms: number;
  tenants_per_s: number;
  node_cpu_ms_per_tenant?: number;
  pg_cpu_ms_per_tenant?: number;
  cpu?: { others_cpu_s: number };
}
interface Run {
  run_id: string;
  started_at: string;
  knobs: { ONBOARD_N: number; PRESENT: number; MIGRATE_N: number };
  loadavg_start_end: number[][];
  micro: { argon2id_hash_p50_ms: number; es256_keygen_p50_ms: number };
  onboarding: Phase[];
  fill: Phase;
  migration: {
    runs: { concurrency: number; tenants: number; wall_s: number; tenants_per_s: number; cpu?: { node_cpu_s: number; pg_backends_cpu_s: number; others_cpu_s: number } }[];
    noop?: { wall_s: number; concurrency: number };
    present: number;
  };
  reference_empty: { present: number; median_ms: Record<string, number> };
  reference_full: { present: number; median_ms: Record<string, number> };
  profile: Record<
    string,
    {
      rows: { what: string; calls_per_onboarding: number; ms_per_onboarding: number }[];
      sql_ms_per_onboarding: number;
      argon2_ms_per_onboarding: number;
      wall_ms_per_onboarding: number;
    }
  >;
}

const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : Math.round(((s[m - 1] + s[m]) / 2) * 100) / 100;
};

function files(): string[] {
  const args = process.argv.slice(2);
  if (args.length) return args;
  const dir = join(resolve(__dirname, '..', '..', '..'), 'bench', 'results');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith('onboarding-') && f.endsWith('.json'))
    .map((f) => join(dir, f))
    .sort();
}

function main(): void {
  const runs: Run[] = files()
    .map((f) => JSON.parse(readFileSync(f, 'utf8')) as Run)
    .filter((r) => process.argv.length > 2 || (r.knobs.ONBOARD_N === 200 && r.knobs.PRESENT === 2000 && r.knobs.MIGRATE_N === 1000));
  if (!runs.length) {
    process.stdout.write('no runs\n');
    return;
  }
  const out: string[] = [];
  const row = (cells: (string | number)[]) => out.push(`| ${cells.join(' | ')} |`);
  const phaseNames = runs[0].onboarding.map((p) => p.name);

  out.push(`Medians of ${runs.length} runs (${runs.map((r) => r.run_id).join(', ')}).`, '');
  row(['phase', 'present', 'n', 'conc', 'p50 ms', 'p95 ms', 'tenants/s', 'node CPU ms/tenant', 'pg CPU ms/tenant']);
  row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']);
  const all = (name: string) => runs.map((r) => (name === 'fill' ? r.fill : r.onboarding.find((p) => p.name === name)!));
  for (const name of [...phaseNames, 'fill']) {
    const ps = all(name);
    const label = name === 'fill' ? `fill, invite-only admin (no argon2), conc ${ps[0].concurrency}` : name;
    row([
      label,
      ps[0].present_before,
      ps[0].n,
      ps[0].concurrency,
      median(ps.map((p) => p.p50_ms)),
      median(ps.map((p) => p.p95_ms)),
      median(ps.map((p) => p.tenants_per_s)),
      median(ps.map((p) => p.node_cpu_ms_per_tenant ?? NaN)),
      median(ps.map((p) => p.pg_cpu_ms_per_tenant ?? NaN)),
    ]);
  }
  out.push('', "Each run (p50 ms / tenants/s; migration seconds; share of the machine's busy CPU used by other processes during the phases):", '');
  row(['run', ...phaseNames, 'fill', ...runs[0].migration.runs.map((m) => `migrate conc ${m.concurrency}`), "others' CPU share"]);
  row(['---', ...phaseNames.map(() => '---:'), '---:', ...runs[0].migration.runs.map(() => '---:'), '---:']);
  for (const r of runs) {
    const phases = [...r.onboarding, r.fill];
    const busy = phases.reduce((a, p) => a + ((p.cpu as { machine_busy_cpu_s?: number } | undefined)?.machine_busy_cpu_s ?? 0), 0);
    const others = phases.reduce((a, p) => a + (p.cpu?.others_cpu_s ?? 0), 0);
    row([r.run_id, ...phases.map((p) => `${p.p50_ms} / ${p.tenants_per_s}`), ...r.migration.runs.map((m) => m.wall_s), busy ? `${Math.round((100 * others) / busy)} %` : '-']);
  }
  out.push('');
  row(['tenant migration', 'tenants', 'present', 'conc', 'seconds', 'tenants/s']);
  row(['---', '---:', '---:', '---:', '---:', '---:']);
  for (const [i, m] of runs[0].migration.runs.entries()) {
    const ms = runs.map((r) => r.migration.runs[i]);
    row(['1 new table', m.tenants, runs[0].migration.present, m.concurrency, median(ms.map((x) => x.wall_s)), median(ms.map((x) => x.tenants_per_s))]);
  }
  if (runs[0].migration.noop)
    row([
      'nothing pending',
      runs[0].migration.runs[0].tenants,
      runs[0].migration.present,
      runs[0].migration.noop.concurrency,
      median(runs.map((r) => r.migration.noop!.wall_s)),
      '',
    ]);
  out.push('');
  row(['bare schema + migration + seed, median ms', 'present', 'CREATE SCHEMA', 'migrate', 'seed', 'COMMIT', 'total']);
  row(['---', '---:', '---:', '---:', '---:', '---:', '---:']);
  for (const key of ['reference_empty', 'reference_full'] as const) {
    const rs = runs.map((r) => r[key]);
    const m = (k: string) => median(rs.map((x) => x.median_ms[k]));
    row([key === 'reference_empty' ? 'at start' : 'after phase B', rs[0].present, m('create_schema'), m('migrate'), m('seed'), m('commit'), m('total')]);
  }
  out.push(
    '',
    `argon2id hash p50: ${median(runs.map((r) => r.micro.argon2id_hash_p50_ms))} ms; ES256 key generation p50: ${median(runs.map((r) => r.micro.es256_keygen_p50_ms))} ms`,
    '',
  );

  const seq = runs.map((r) => r.profile?.sequential).filter(Boolean);
  if (seq.length) {
    const whats = new Set(seq.flatMap((p) => p.rows.map((r) => r.what)));
    const rows = [...whats].map((w) => ({
      w,
      calls: median(seq.map((p) => p.rows.find((r) => r.what === w)?.calls_per_onboarding ?? 0)),
      ms: median(seq.map((p) => p.rows.find((r) => r.what === w)?.ms_per_onboarding ?? 0)),
    }));
    rows.sort((a, b) => b.ms - a.ms);
    out.push(
      `Sequential onboarding profile (median of runs): wall ${median(seq.map((p) => p.wall_ms_per_onboarding))} ms, argon2 ${median(seq.map((p) => p.argon2_ms_per_onboarding))} ms, SQL ${median(seq.map((p) => p.sql_ms_per_onboarding))} ms`,
      '',
    );
    row(['statement', 'calls', 'ms per onboarding']);
    row(['---', '---:', '---:']);
    for (const r of rows) row([r.w, r.calls, r.ms]);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
