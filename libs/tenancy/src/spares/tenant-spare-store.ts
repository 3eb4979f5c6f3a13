import type { UnitOfWork } from '../unit-of-work';

/** Reads and writes of `platform.tenant_spares`, the pool's list (only libs/tenancy's spares use it). */
export class TenantSpareStore {
  async count(uow: UnitOfWork): Promise<number> {
    const [{ n }] = await uow.query<{ n: number }[]>('SELECT count(*)::int AS n FROM platform.tenant_spares');
    return n;
  }

  async add(uow: UnitOfWork, schema: string, dbVersion: number): Promise<void> {
    await uow.query('INSERT INTO platform.tenant_spares (schema_name, db_version) VALUES ($1, $2)', [schema, dbVersion]);
  }

  /**
   * Removes one spare no other transaction holds and resolves to its schema (undefined when the
   * pool is empty). SKIP LOCKED: concurrent onboardings each take a different one, none waits.
   * Never one made by a newer build (its migrations are unknown here).
   */
  async take(uow: UnitOfWork, maxVersion: number): Promise<string | undefined> {
    const [row] = await uow.query<{ schema_name: string }[]>(
      `DELETE FROM platform.tenant_spares WHERE schema_name = (
         SELECT schema_name FROM platform.tenant_spares WHERE db_version <= $1
          ORDER BY db_version DESC, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING schema_name`,
      [maxVersion],
    );
    return row?.schema_name;
  }

  /** Locks one spare for a migration; false when it is gone or being taken. */
  async lock(uow: UnitOfWork, schema: string): Promise<boolean> {
    const rows = await uow.query<unknown[]>('SELECT 1 FROM platform.tenant_spares WHERE schema_name = $1 FOR UPDATE SKIP LOCKED', [schema]);
    return rows.length === 1;
  }

  async list(uow: UnitOfWork): Promise<{ schema_name: string; db_version: number }[]> {
    return uow.query('SELECT schema_name, db_version FROM platform.tenant_spares ORDER BY created_at');
  }

  async setDbVersion(uow: UnitOfWork, schema: string, version: number): Promise<void> {
    await uow.query('UPDATE platform.tenant_spares SET db_version = $2 WHERE schema_name = $1', [schema, version]);
  }

  async remove(uow: UnitOfWork, schema: string): Promise<void> {
    await uow.query('DELETE FROM platform.tenant_spares WHERE schema_name = $1', [schema]);
  }

  /**
   * Spares behind `target` (one `npm run migrate` failed to migrate, or an older build made), locked;
   * one being taken right now is skipped (its row is locked, and gone once the taker commits).
   */
  async lockBehind(uow: UnitOfWork, target: number): Promise<string[]> {
    const rows = await uow.query<{ schema_name: string }[]>(
      'SELECT schema_name FROM platform.tenant_spares WHERE db_version < $1 AND to_regnamespace(schema_name) IS NOT NULL FOR UPDATE SKIP LOCKED',
      [target],
    );
    return rows.map((r) => r.schema_name);
  }

  /** Spare schemas without a row, and rows without a schema: what a spare dropped halfway leaves. */
  async strays(uow: UnitOfWork): Promise<{ schemas: string[]; rows: string[] }> {
    const [r] = await uow.query<{ schemas: string[]; rows: string[] }[]>(
      `SELECT coalesce((SELECT array_agg(nspname::text) FROM pg_namespace
                         WHERE nspname ~ '^spare_[0-9a-f]{32}$' AND nspname NOT IN (SELECT schema_name FROM platform.tenant_spares)), '{}') AS schemas,
              coalesce((SELECT array_agg(schema_name) FROM platform.tenant_spares WHERE to_regnamespace(schema_name) IS NULL), '{}') AS rows`,
    );
    return r;
  }
}
