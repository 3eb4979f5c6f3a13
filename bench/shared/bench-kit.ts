import Redis from 'ioredis';
import { readFileSync } from 'node:fs';
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
