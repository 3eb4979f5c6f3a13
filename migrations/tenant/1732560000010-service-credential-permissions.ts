import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Service credentials get permissions of their own, from a closed list (the CHECK mirrors
 * SERVICE_PERMISSIONS in libs/identity). Credentials that exist keep what every credential could do
 * until now: introspect, revoke and check permissions. New rows default to nothing.
 */
export class ServiceCredentialPermissions1732560000010 implements MigrationInterface {
  name = 'ServiceCredentialPermissions1732560000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE service_credentials ADD COLUMN permissions text[] NOT NULL DEFAULT '{}'`);
    await q.query(`UPDATE service_credentials SET permissions = ARRAY['token.introspect', 'token.revoke', 'permission.check']`);
    await q.query(
      `ALTER TABLE service_credentials ADD CONSTRAINT service_credentials_permissions_known
         CHECK (permissions <@ ARRAY['token.introspect', 'token.revoke', 'permission.check', 'audit.write', 'sync.write']::text[])`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE service_credentials DROP COLUMN permissions`);
  }
}
