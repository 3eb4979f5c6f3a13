import { QueryRunner } from 'typeorm';

/**
 * Takes a transaction-scoped advisory lock on a text key (hashed to 64 bits by Postgres).
 * Held until the surrounding transaction ends, so a crash can never leave it behind.
 */
export async function lockForTransaction(runner: QueryRunner, key: string, mode: 'exclusive' | 'shared' = 'exclusive'): Promise<void> {
  const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await runner.query(`SELECT ${fn}(hashtextextended($1, 0))`, [key]);
}

export async function tryLockForTransaction(runner: QueryRunner, key: string): Promise<boolean> {
  const rows: { locked: boolean }[] = await runner.query('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked', [key]);
  return rows[0].locked;
}

/** Held by `npm run migrate` exclusively and by provisioning shared, so no tenant misses a migration run. */
export const TENANT_SCHEMA_LOCK = 'credence:tenant-schemas';
export const PLATFORM_MIGRATIONS_LOCK = 'credence:platform-migrations';
