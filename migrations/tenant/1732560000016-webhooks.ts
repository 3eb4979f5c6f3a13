import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbound webhooks (libs/webhooks): the tenant's subscriptions and one delivery row per (subscription,
 * event) with every attempt. The signing secrets are sealed with the key-encryption key in `secrets`
 * (signing needs them in clear, so they cannot be hashed). Tenant admins get webhook.manage:any.
 */
export class Webhooks1732560000016 implements MigrationInterface {
  name = 'Webhooks1732560000016';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhooks (
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
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY,
        webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
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
    await q.query(`CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id)`);
    await q.query(`CREATE INDEX webhook_deliveries_open_idx ON webhook_deliveries (webhook_id, aggregate, id) WHERE status IN ('pending', 'failed')`);
    await q.query(
      `UPDATE roles SET permissions = array_append(permissions, 'webhook.manage:any'), updated_at = now()
        WHERE builtin AND name = 'tenant_admin' AND NOT ('webhook.manage:any' = ANY (permissions))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE roles SET permissions = array_remove(permissions, 'webhook.manage:any'), updated_at = now() WHERE builtin AND name = 'tenant_admin'`);
    await q.query('DROP TABLE webhook_deliveries');
    await q.query('DROP TABLE webhooks');
  }
}
