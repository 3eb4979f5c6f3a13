import { MigrationInterface, QueryRunner } from 'typeorm';

/** The platform tables a tenant's unit of work writes (grants: libs/tenancy/src/roles/tenant-roles.ts). */
const TENANT_KEYED = ['outbox', 'event_store', 'retention_runs'] as const;

/**
 * Row security on the platform tables a tenant's role may touch: as a tenant role (`t_<32 hex>_<tag>`),
 * a statement sees and writes only the rows of its own tenant, so even an UPDATE without its
 * `tenant_id` filter, or an event stamped with another tenant, fails in Postgres. Other roles are
 * not narrowed: the login role owns these tables (it created them), and row security never applies
 * to a table's owner. The tenant is read from the role's name, which only TenantRoles creates.
 */
export class TenantRowSecurity1732590000000 implements MigrationInterface {
  name = 'TenantRowSecurity1732590000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION platform.tenant_of_current_role() RETURNS text LANGUAGE sql STABLE AS $$
        SELECT CASE WHEN current_user ~ '^t_[0-9a-f]{32}_[0-9a-f]{8}$' THEN substr(current_user, 3, 32)::uuid::text END
      $$`);
    for (const table of TENANT_KEYED) {
      await q.query(`ALTER TABLE platform.${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY own_tenant_only ON platform.${table}
          USING (platform.tenant_of_current_role() IS NULL OR tenant_id = platform.tenant_of_current_role())
          WITH CHECK (platform.tenant_of_current_role() IS NULL OR tenant_id = platform.tenant_of_current_role())`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TENANT_KEYED) {
      await q.query(`DROP POLICY own_tenant_only ON platform.${table}`);
      await q.query(`ALTER TABLE platform.${table} DISABLE ROW LEVEL SECURITY`);
    }
    await q.query('DROP FUNCTION platform.tenant_of_current_role()');
  }
}
