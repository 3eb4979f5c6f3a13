import { MigrationInterface, QueryRunner } from 'typeorm';
import { createAuditLogTables, dropAuditLogTables } from '../shared/audit-log-tables';

/**
 * Platform-level audit trail (events without a tenant: platform API keys) and the record of
 * retention runs, one row per tenant per run, that platform admins read.
 */
export class CreatePlatformAuditAndRetention1732580000000 implements MigrationInterface {
  name = 'CreatePlatformAuditAndRetention1732580000000';

  async up(q: QueryRunner): Promise<void> {
    await createAuditLogTables(q, 'platform.platform_');
    await q.query(`
      CREATE TABLE platform.retention_runs (
        run_id text NOT NULL,
        tenant_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        counts jsonb NOT NULL DEFAULT '{}'::jsonb,
        error text,
        PRIMARY KEY (tenant_id, run_id)
      )`);
    await q.query(`CREATE INDEX retention_runs_tenant_started_idx ON platform.retention_runs (tenant_id, started_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE platform.retention_runs');
    await dropAuditLogTables(q, 'platform.platform_');
  }
}
