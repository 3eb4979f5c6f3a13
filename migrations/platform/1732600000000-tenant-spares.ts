import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The pool of spare tenant schemas (libs/tenancy/src/spares): each row is a schema `spare_<32 hex>`,
 * fully migrated to `db_version` and empty, waiting to be renamed to a new tenant's schema. Owned by
 * the login role; tenant roles get no grant on it.
 */
export class TenantSpares1732600000000 implements MigrationInterface {
  name = 'TenantSpares1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE platform.tenant_spares (
        schema_name text PRIMARY KEY CHECK (schema_name ~ '^spare_[0-9a-f]{32}$'),
        db_version int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE platform.tenant_spares');
  }
}
