// Summarises a .cpuprofile: self time by function and by package/file (node bench/shared/profile-top.mjs <file> [rows]).
import { readFileSync } from 'node:fs';

const [file, rowsArg] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const rows = Number(rowsArg ?? 40);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const where = (url) => {
  if (!url) return '(native)';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1];
  if (url.startsWith('node:')) return url;
  const w = url.match(/\/(libs|apps|bench|test)\/([^/]+)/);
  return w ? `${w[1]}/${w[2]}` : url.split('/').slice(-2).join('/');
};
const fn = new Map();
const pkg = new Map();
for (const [id, t] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const k = `${cf.functionName || '(anon)'} ${where(cf.url)}:${cf.lineNumber + 1}`;
  fn.set(k, (fn.get(k) ?? 0) + t);
  const p = where(cf.url) + (cf.url ? '' : ` ${cf.functionName}`);
  pkg.set(p, (pkg.get(p) ?? 0) + t);
}
const pct = (t) => ((100 * t) / total).toFixed(1).padStart(5);
console.log(`total ${(total / 1000).toFixed(0)} ms sampled`);
console.log('\nby package / file (self):');
for (const [k, t] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${pct(t)}%  ${k}`);
console.log('\nby function (self):');
for (const [k, t] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${pct(t)}%  ${k}`);
