import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Platform admins' webhooks (libs/webhooks, /v1/admin/webhooks): the same two tables as a tenant's
 * (migrations/tenant/1732560000016-webhooks), under the same names, so the webhooks code runs the
 * same queries in either scope. They live in a schema of their own, `platform_webhooks`, not in
 * `platform`: every tenant's search path ends in `platform`, so a table there named like a tenant's
 * could be found by a query meant for the tenant (tenant-isolation spec). Owned by the login role;
 * tenant roles get no grant on the schema.
 */
export class PlatformWebhooks1732610000000 implements MigrationInterface {
  name = 'PlatformWebhooks1732610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE SCHEMA platform_webhooks');
    await q.query('REVOKE ALL ON SCHEMA platform_webhooks FROM PUBLIC');
    await q.query(`
      CREATE TABLE platform_webhooks.webhooks (
        id uuid PRIMARY KEY,
        url text NOT NULL,
        description text NOT NULL DEFAULT '',
        event_types text[] NOT NULL,
        exclude_fields text[] NOT NULL DEFAULT '{}',
        include_fields text[] NOT NULL DEFAULT '{}',
        ordered boolean NOT NULL DEFAULT true,
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text,
        failing_since timestamptz,
        secrets bytea NOT NULL,
        secrets_kek_id text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE platform_webhooks.webhook_deliveries (
        id uuid PRIMARY KEY,
        webhook_id uuid NOT NULL REFERENCES platform_webhooks.webhooks (id) ON DELETE CASCADE,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        aggregate text NOT NULL,
        body text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
        attempts jsonb NOT NULL DEFAULT '[]'::jsonb,
        next_attempt_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (webhook_id, event_id)
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_webhook_idx ON platform_webhooks.webhook_deliveries (webhook_id, id)`);
    await q.query(`CREATE INDEX webhook_deliveries_open_idx ON platform_webhooks.webhook_deliveries (webhook_id, aggregate, id) WHERE status IN ('pending', 'failed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP SCHEMA platform_webhooks CASCADE');
  }
}
