import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops `outbox_tenant_idx`. Every event paid for it twice, on its insert and again on the relay's
 * mark (which is never a HOT update), and all it served was a user's erasure, which is rare and now
 * scans the outbox instead: the outbox holds unsent rows and an hour of sent ones
 * (EVENTS_OUTBOX_KEEP_SECONDS), about 100 ms a million rows. The event store keeps its tenant index.
 */
export class OutboxWithoutTenantIndex1732620000000 implements MigrationInterface {
  name = 'OutboxWithoutTenantIndex1732620000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX platform.outbox_tenant_idx');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX outbox_tenant_idx ON platform.outbox (tenant_id, position)');
  }
}
