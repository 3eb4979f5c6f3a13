import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenant migrations never name a schema: they run with search_path set to the tenant's. */
export class CreateIdentityTables1732560000001 implements MigrationInterface {
  name = 'CreateIdentityTables1732560000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        username text,
        display_name text,
        password_hash text,
        status text NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
        attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);
    await q.query(`CREATE UNIQUE INDEX users_username_key ON users (lower(username)) WHERE username IS NOT NULL`);
    await q.query(`
      CREATE TABLE roles (
        id uuid PRIMARY KEY,
        name text NOT NULL UNIQUE,
        description text NOT NULL DEFAULT '',
        rank integer,
        permissions text[] NOT NULL DEFAULT '{}',
        builtin boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE user_roles (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, role_id)
      )`);
    await q.query(`CREATE INDEX user_roles_role_idx ON user_roles (role_id)`);
    await q.query(`
      CREATE TABLE user_invites (
        token_hash bytea PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX user_invites_user_idx ON user_invites (user_id)`);
    await q.query(`
      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        alg text NOT NULL CHECK (alg IN ('ES256', 'EdDSA')),
        public_jwk jsonb NOT NULL,
        private_key_enc bytea NOT NULL,
        kek_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'retiring', 'retired')),
        created_at timestamptz NOT NULL DEFAULT now(),
        retire_after timestamptz
      )`);
    await q.query(`CREATE INDEX signing_keys_status_idx ON signing_keys (status, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE signing_keys, user_invites, user_roles, roles, users');
  }
}
