import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SCIM 2.0 (libs/scim): a tenant's SCIM directories (each with its bearer token's SHA-256, never the
 * token), the link between a directory's SCIM user and a Credence user (with the client's externalId),
 * the directory's groups and their members, and the roles a group's mapping granted (so leaving the
 * group takes the role away and roles given by hand stay). Tenant admins get directory.manage:any.
 */
export class Scim1732560000018 implements MigrationInterface {
  name = 'Scim1732560000018';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scim_directories (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        token_hash bytea NOT NULL UNIQUE,
        group_role_mapping jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        token_rotated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE scim_users (
        user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        directory_id uuid NOT NULL REFERENCES scim_directories (id) ON DELETE CASCADE,
        user_name text NOT NULL,
        external_id text,
        emails jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX scim_users_user_name_key ON scim_users (directory_id, lower(user_name))`);
    await q.query(`CREATE INDEX scim_users_external_id_idx ON scim_users (directory_id, external_id)`);
    await q.query(`
      CREATE TABLE scim_groups (
        id uuid PRIMARY KEY,
        directory_id uuid NOT NULL REFERENCES scim_directories (id) ON DELETE CASCADE,
        display_name text NOT NULL,
        external_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX scim_groups_name_key ON scim_groups (directory_id, lower(display_name))`);
    await q.query(`
      CREATE TABLE scim_group_members (
        group_id uuid NOT NULL REFERENCES scim_groups (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        PRIMARY KEY (group_id, user_id)
      )`);
    await q.query(`CREATE INDEX scim_group_members_user_idx ON scim_group_members (user_id)`);
    await q.query(`
      CREATE TABLE scim_role_grants (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
        directory_id uuid NOT NULL REFERENCES scim_directories (id) ON DELETE CASCADE,
        granted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, role_id, directory_id)
      )`);
    await q.query(
      `UPDATE roles SET permissions = array_append(permissions, 'directory.manage:any'), updated_at = now()
        WHERE builtin AND name = 'tenant_admin' AND NOT ('directory.manage:any' = ANY (permissions))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE roles SET permissions = array_remove(permissions, 'directory.manage:any'), updated_at = now() WHERE builtin AND name = 'tenant_admin'`);
    await q.query('DROP TABLE scim_role_grants, scim_group_members, scim_groups, scim_users, scim_directories');
  }
}
