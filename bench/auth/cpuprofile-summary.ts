/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by package / project library and
 * by function, and inclusive time of functions whose name matches a filter. Used to find where the
 * auth bench's time goes:
 *
 *   BENCH_ONLY=refresh node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/auth/auth.bench.js
 *   node dist/bench/auth/cpuprofile-summary.js /tmp/prof/<file>.cpuprofile [top=25] [inclusive-filter-regex]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function where(url: string): string {
  if (!url) return '(native/V8)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const lib = /dist\/(libs\/[^/]+|apps\/[^/]+|bench\/[^/]+)/.exec(url);
  if (lib) return lib[1];
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

function main(): void {
  const [file, topArg, filter] = process.argv.slice(2);
  const top = Number(topArg ?? 25);
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
  const busy = total - idle;

  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const byPkg = new Map<string, number>();
  const byFn = new Map<string, number>();
  const incl = new Map<string, number>();
  const re = filter ? new RegExp(filter) : undefined;
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)') continue;
    add(byPkg, where(n.callFrame.url), t);
    add(byFn, `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`, t);
    if (re) {
      // Inclusive: charge each matching ancestor frame once per sample.
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur)!.callFrame;
        const key = `${f.functionName} ${where(f.url)}:${f.lineNumber + 1}`;
        if (re.test(key) && !seen.has(key)) {
          seen.add(key);
          add(incl, key, t);
        }
      }
    }
  }
  const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
  const share = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  console.log(`profile ${((p.endTime - p.startTime) / 1e6).toFixed(1)} s wall, busy ${(busy / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s`);
  console.log('\nself time by package / library:');
  for (const [k, v] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)} ms ${share(v)}  ${k}`);
  console.log('\nself time by function:');
  for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)} ms ${share(v)}  ${k}`);
  if (re) {
    console.log(`\ninclusive time of frames matching /${filter}/:`);
    for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)} ms ${share(v)}  ${k}`);
  }
}

main();
