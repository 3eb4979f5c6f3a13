import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePlatformRegistry1732560000000 implements MigrationInterface {
  name = 'CreatePlatformRegistry1732560000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE platform.tenants (
        id uuid PRIMARY KEY,
        slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z][a-z0-9-]{1,62}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        schema_name text NOT NULL UNIQUE CHECK (schema_name ~ '^t_[0-9a-f]{32}$'),
        status text NOT NULL CHECK (status IN ('provisioning', 'active', 'suspended', 'offboarding', 'deleted')),
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        db_version integer NOT NULL DEFAULT 0,
        pending_admin jsonb,
        purge_after timestamptz,
        suspended_at timestamptz,
        deleted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX tenants_status_id_idx ON platform.tenants (status, id)`);
    await q.query(`
      CREATE TABLE platform.tenant_domains (
        domain text PRIMARY KEY CHECK (domain = lower(domain)),
        tenant_id uuid NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX tenant_domains_tenant_idx ON platform.tenant_domains (tenant_id)`);
    await q.query(`
      CREATE TABLE platform.api_keys (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        secret_hash bytea NOT NULL,
        scopes text[] NOT NULL,
        bootstrap boolean NOT NULL DEFAULT false,
        created_by text NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX api_keys_secret_hash_key ON platform.api_keys (secret_hash)`);
    await q.query(`CREATE UNIQUE INDEX api_keys_one_bootstrap ON platform.api_keys (bootstrap) WHERE bootstrap`);
    await q.query(`
      CREATE TABLE platform.outbox (
        position bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        tenant_id text NOT NULL,
        aggregate text NOT NULL,
        type text NOT NULL,
        event jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_unpublished_idx ON platform.outbox (position) WHERE published_at IS NULL`);
    await q.query(`CREATE INDEX outbox_tenant_idx ON platform.outbox (tenant_id, position)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE platform.outbox, platform.api_keys, platform.tenant_domains, platform.tenants');
  }
}
