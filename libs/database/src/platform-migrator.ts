import { DataSource } from 'typeorm';
import { PLATFORM_MIGRATIONS_LOCK, lockForTransaction } from './advisory-lock';
import { applyPending, MigrationOutcome, MigrationSet } from './migration-set';

/** Applies platform migrations in one transaction; concurrent starters wait on the lock and find nothing to do. */
export async function migratePlatform(dataSource: DataSource, set: MigrationSet): Promise<MigrationOutcome> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    await lockForTransaction(runner, PLATFORM_MIGRATIONS_LOCK);
    await runner.query('CREATE SCHEMA IF NOT EXISTS platform');
    await runner.query("SELECT set_config('search_path', 'platform', true)");
    const outcome = await applyPending(runner, set);
    await runner.commitTransaction();
    return outcome;
  } catch (err) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw err;
  } finally {
    await runner.release();
  }
}
