import Redis from 'ioredis';
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deleteKeysWithPrefix } from '@credence/redis';

/** Helpers every benchmark uses: a plain-text table, Redis clean-up, and the machine's busy CPU ticks. */

export function table(headers: string[], rows: (string | number)[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) => cells.map((c, i) => (typeof c === 'number' ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export async function cleanRedis(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await deleteKeysWithPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** Busy CPU ticks of the whole machine since boot (/proc/stat: everything but idle and iowait). */
export function machineBusyTicks(): number {
  const [, ...nums] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const v = nums.map(Number);
  return v.slice(0, 8).reduce((a, b) => a + b, 0) - v[3] - v[4];
}

/** The repository root (dist/bench/<x> → root), or the working directory when run from elsewhere. */
export function repoRoot(): string {
  const candidate = resolve(__dirname, '..', '..', '..');
  return existsSync(join(candidate, 'package.json')) ? candidate : process.cwd();
}

/** Which code was measured: HEAD and how many tracked files differ from it. */
export function sourceRevision(): { commit: string; dirty_files: number } | undefined {
  try {
    const cwd = repoRoot();
    const commit = execSync('git rev-parse HEAD', { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return { commit, dirty_files: dirty ? dirty.split('\n').length : 0 };
  } catch {
    return process.env.BENCH_SOURCE_COMMIT ? { commit: process.env.BENCH_SOURCE_COMMIT, dirty_files: 0 } : undefined;
  }
}

/** Writes a run's raw figures to bench/results/<kind>-<time>-<run>.json (git-ignored) and returns the path. */
export function writeResults(kind: string, started: Date, runId: string, out: unknown): string {
  const dir = join(repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${kind}-${started.toISOString().replace(/[:.]/g, '-')}-${runId}.json`);
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  return file;
}
