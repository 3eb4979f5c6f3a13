import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Federation (libs/federation): the tenant's IdP connections, the domains each owns (one connection
 * per domain), the link between an IdP's subject and a Credence user, and the roles that group rules
 * granted (so a rule's role goes when the group goes, and roles given by hand stay). Secrets (an OIDC
 * client secret, an LDAP bind password, the SP's private keys) are sealed with the key-encryption key
 * in `secrets`; `config` holds only what may be shown. Tenant admins get idp.manage:any.
 */
export class Federation1732560000014 implements MigrationInterface {
  name = 'Federation1732560000014';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE connections (
        id uuid PRIMARY KEY,
        type text NOT NULL CHECK (type IN ('saml', 'oidc', 'ldap')),
        name text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'error')),
        status_detail text,
        jit jsonb NOT NULL DEFAULT '{"enabled": false, "default_roles": []}'::jsonb,
        attribute_mapping jsonb NOT NULL DEFAULT '{}'::jsonb,
        group_role_mapping jsonb NOT NULL DEFAULT '[]'::jsonb,
        config jsonb NOT NULL DEFAULT '{}'::jsonb,
        secrets bytea,
        secrets_kek_id text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE connection_domains (
        domain text PRIMARY KEY CHECK (domain = lower(domain)),
        connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX connection_domains_connection_idx ON connection_domains (connection_id)`);
    await q.query(`
      CREATE TABLE federated_identities (
        connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        subject text NOT NULL,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz,
        PRIMARY KEY (connection_id, subject)
      )`);
    await q.query(`CREATE INDEX federated_identities_user_idx ON federated_identities (user_id)`);
    await q.query(`
      CREATE TABLE federated_role_grants (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
        connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        granted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, role_id, connection_id)
      )`);
    await q.query(
      `UPDATE roles SET permissions = array_append(permissions, 'idp.manage:any'), updated_at = now()
        WHERE builtin AND name = 'tenant_admin' AND NOT ('idp.manage:any' = ANY (permissions))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE roles SET permissions = array_remove(permissions, 'idp.manage:any'), updated_at = now() WHERE builtin AND name = 'tenant_admin'`);
    await q.query('DROP TABLE federated_role_grants');
    await q.query('DROP TABLE federated_identities');
    await q.query('DROP TABLE connection_domains');
    await q.query('DROP TABLE connections');
  }
}
