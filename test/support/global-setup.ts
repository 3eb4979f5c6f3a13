import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDatabase } from '../../libs/database/src/ensure-database';
import { randomBytes } from 'node:crypto';

function baseUrlOf(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const newRunId = () => `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

/** Each test run gets its own database (dropped at the end) and Redis key prefix. */
export default async function globalSetup(): Promise<void> {
  const run = newRunId();
  const server = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@localhost:5432/postgres';
  const url = baseUrlOf(server, `credence_test_${run}`);
  await ensureDatabase(url);
  process.env.CREDENCE_TEST_DATABASE_URL = url;
  process.env.CREDENCE_TEST_REDIS_PREFIX = `credence-test-${run.replace(/_/g, '-')}`;
  process.env.CREDENCE_TEST_DATA_DIR = mkdtempSync(join(tmpdir(), 'credence-test-'));
}
