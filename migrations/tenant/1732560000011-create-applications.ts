import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tenant's applications (OAuth clients of its OpenID Provider), owned by libs/oauth, and the
 * permission that manages them (app.manage:any) for the built-in tenant_admin of existing tenants;
 * new tenants get it from the seeded default roles.
 */
export class CreateApplications1732560000011 implements MigrationInterface {
  name = 'CreateApplications1732560000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE applications (
        id uuid PRIMARY KEY,
        client_id text NOT NULL UNIQUE,
        name text NOT NULL,
        type text NOT NULL CHECK (type IN ('public', 'confidential')),
        secret_hash bytea,
        redirect_uris text[] NOT NULL,
        post_logout_redirect_uris text[] NOT NULL DEFAULT '{}',
        connections uuid[],
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        secret_rotated_at timestamptz,
        CONSTRAINT applications_secret_iff_confidential CHECK ((type = 'confidential') = (secret_hash IS NOT NULL))
      )`);
    await q.query(
      `UPDATE roles SET permissions = array_append(permissions, 'app.manage:any'), updated_at = now()
        WHERE builtin AND name = 'tenant_admin' AND NOT ('app.manage:any' = ANY (permissions))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE roles SET permissions = array_remove(permissions, 'app.manage:any'), updated_at = now() WHERE builtin AND name = 'tenant_admin'`);
    await q.query('DROP TABLE applications');
  }
}
