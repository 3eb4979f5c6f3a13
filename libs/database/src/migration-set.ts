import { MigrationInterface, QueryRunner } from 'typeorm';

export type MigrationClass = new () => MigrationInterface;

export interface MigrationSet {
  /** Unqualified history table; resolved through the transaction's search_path. */
  historyTable: 'platform_migrations' | 'tenant_migrations';
  migrations: MigrationClass[];
}

export interface MigrationOutcome {
  applied: string[];
  /** Number of migrations of the set now applied. */
  version: number;
}

function nameOf(migration: MigrationClass): string {
  return new migration().name ?? migration.name;
}

/**
 * Applies the set's pending migrations in order inside the caller's transaction.
 * The caller chooses the schema (search_path) and holds the lock that makes this single-writer.
 */
export async function applyPending(runner: QueryRunner, set: MigrationSet): Promise<MigrationOutcome> {
  await runner.query(`CREATE TABLE IF NOT EXISTS ${set.historyTable} (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const rows: { name: string }[] = await runner.query(`SELECT name FROM ${set.historyTable}`);
  const done = new Set(rows.map((r) => r.name));
  const known = new Set(set.migrations.map(nameOf));
  const unknown = [...done].filter((n) => !known.has(n));
  // A schema migrated by a newer build must not be touched (or have its version lowered) by an older one.
  if (unknown.length) throw new Error(`schema has migrations this build does not know (${unknown.join(', ')}); run a newer build`);
  const applied: string[] = [];
  for (const migration of set.migrations) {
    const name = nameOf(migration);
    if (done.has(name)) continue;
    await new migration().up(runner);
    await runner.query(`INSERT INTO ${set.historyTable} (name) VALUES ($1)`, [name]);
    applied.push(name);
  }
  return { applied, version: set.migrations.length };
}

export function migrationNames(set: MigrationSet): string[] {
  return set.migrations.map(nameOf);
}
