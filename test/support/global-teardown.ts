import Redis from 'ioredis';
import { rmSync } from 'node:fs';
import { dropDatabase } from '../../libs/database/src/ensure-database';

export default async function globalTeardown(): Promise<void> {
  const url = process.env.CREDENCE_TEST_DATABASE_URL;
  if (url && !process.env.CREDENCE_TEST_KEEP_DATABASE) await dropDatabase(url);
  const prefix = process.env.CREDENCE_TEST_REDIS_PREFIX;
  if (prefix) {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  }
  const dir = process.env.CREDENCE_TEST_DATA_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
