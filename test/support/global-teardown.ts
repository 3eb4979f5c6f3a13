import Redis from 'ioredis';
import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { dropDatabase } from '../../libs/database/src/ensure-database';
import { deleteKeysWithPrefix } from '../../libs/redis/src/delete-prefix';

/** Drops the run's database and every database a test derived from it (`<run db>_*`), even after a crash. */
async function dropRunDatabases(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`, [name, `${name}\\_%`]);
  await client.end();
  for (const row of rows) {
    const target = new URL(url);
    target.pathname = `/${row.datname}`;
    await dropDatabase(target.toString());
  }
}

export default async function globalTeardown(): Promise<void> {
  const url = process.env.CREDENCE_TEST_DATABASE_URL;
  if (url && !process.env.CREDENCE_TEST_KEEP_DATABASE) await dropRunDatabases(url);
  const prefix = process.env.CREDENCE_TEST_REDIS_PREFIX;
  if (prefix) {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  }
  const dir = process.env.CREDENCE_TEST_DATA_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
