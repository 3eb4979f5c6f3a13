/**
 * Prints medians and per-run figures of auth bench runs as Markdown tables:
 *   node dist/bench/auth/summarize.js bench/results/auth-*.json
 */
import { readFileSync } from 'node:fs';

type Run = any; // the JSON written by auth.bench.ts

const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '-');

/** Share of the machine's busy CPU that was not the bench's (others' tests and benches). */
const othersShare = (cpu?: { machine_busy_s: number; others_s: number }) => (cpu && cpu.machine_busy_s > 0 ? cpu.others_s / cpu.machine_busy_s : NaN);

interface Figure {
  label: string;
  get: (r: Run) => number;
  digits?: number;
  target?: string;
}

const figures: Figure[] = [
  { label: 'token checks/s, 1 process, 16 closed loops', get: (r) => r.verify_alone?.closed.result.per_s },
  { label: 'token check p50 / p99 ms, 16 closed loops', get: (r) => r.verify_alone?.closed.result.p99_ms, digits: 2 },
  { label: 'token check p99 ms, paced 2,000/s', get: (r) => r.verify_alone?.paced.result.p99_ms, digits: 2 },
  { label: 'token check p99 ms, 1 closed loop', get: (r) => r.verify_alone?.serial.result.p99_ms, digits: 2 },
  { label: 'token checks/s, 2 processes (whole machine)', get: (r) => r.verify_machine?.total.per_s, target: '≥ 20,000' },
  { label: 'token checks/s under 8 login loops', get: (r) => r.verify_under_login?.closed.verify.per_s },
  { label: 'token check p99 ms under logins, 16 closed loops', get: (r) => r.verify_under_login?.closed.verify.p99_ms, digits: 1, target: '≤ 5' },
  { label: 'token check p99 ms under logins, paced 2,000/s', get: (r) => r.verify_under_login?.paced.verify.p99_ms, digits: 1, target: '≤ 5' },
  { label: 'logins/s meanwhile (closed-loop window)', get: (r) => r.verify_under_login?.closed.logins.per_s, digits: 1 },
  { label: 'introspections/s (HTTP)', get: (r) => r.introspection?.per_s, target: '≥ 4,000' },
  { label: 'introspection p99 ms (32 connections)', get: (r) => r.introspection?.p99_ms },
  { label: 'refreshes/s (HTTP, 32 chains)', get: (r) => r.refresh?.window.per_s, target: '≥ 1,500' },
  { label: 'refresh p99 ms', get: (r) => r.refresh?.window.p99_ms },
  { label: 'password logins/s (HTTP, 8 loops)', get: (r) => r.login_vs_hash?.logins_per_s, digits: 1 },
  { label: 'bare argon2id hashes/s (8 callers, cap 2)', get: (r) => r.login_vs_hash?.hashes_per_s, digits: 1 },
  { label: 'logins/s ÷ hashes/s', get: (r) => r.login_vs_hash?.ratio, digits: 2, target: '≥ 0.80' },
];

function main(): void {
  const runs: Run[] = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')));
  if (!runs.length) throw new Error('usage: summarize.js <auth-*.json>...');
  const ids = runs.map((r) => r.run_id.split('_')[0]);
  console.log(`| figure | median | ${ids.join(' | ')} | target |`);
  console.log(`|---|---:|${ids.map(() => '---:').join('|')}|---|`);
  for (const f of figures) {
    const vals = runs.map((r) => Number(f.get(r)));
    const p50s = f.label.includes('p50 / p99') ? runs.map((r) => Number(r.verify_alone?.closed.result.p50_ms)) : undefined;
    const cell = (v: number, i?: number) => (p50s ? `${fmt(i === undefined ? median(p50s) : p50s[i], 2)} / ${fmt(v, 2)}` : fmt(v, f.digits ?? 0));
    console.log(`| ${f.label} | ${cell(median(vals))} | ${vals.map((v, i) => cell(v, i)).join(' | ')} | ${f.target ?? ''} |`);
  }
  console.log('');
  console.log(`| run | started (UTC) | load avg start → end | others' share of busy CPU: verify / machine / mixed / introspect / refresh / login |`);
  console.log('|---|---|---|---|');
  for (const r of runs) {
    const shares = [
      r.verify_alone?.closed.cpu,
      r.verify_machine?.cpu,
      r.verify_under_login?.closed.cpu,
      r.introspection?.cpu,
      r.refresh?.cpu,
      r.login_vs_hash?.rounds?.[0]?.login.cpu,
    ].map((c) => `${fmt(100 * othersShare(c))} %`);
    console.log(`| ${r.run_id.split('_')[0]} | ${r.started_at.slice(11, 19)} | ${r.loadavg_start_end[0][0]} → ${r.loadavg_start_end[1][0]} | ${shares.join(' / ')} |`);
  }
  console.log('');
  console.log('| run | introspection SQL / Redis per request | refresh SQL / Redis per refresh | login SQL / Redis per login |');
  console.log('|---|---|---|---|');
  for (const r of runs) {
    const l = r.login_vs_hash?.rounds?.[0]?.login;
    console.log(
      `| ${r.run_id.split('_')[0]} | ${r.introspection?.pg_statements_per_op} / ${r.introspection?.redis_commands_per_op} | ${r.refresh?.window.pg_statements_per_op} / ${r.refresh?.window.redis_commands_per_op} | ${l?.pg_statements_per_op} / ${l?.redis_commands_per_op} |`,
    );
  }
}

main();
