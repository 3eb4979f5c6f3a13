import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event store behind the replay API: every published event, keyed by tenant, in publication
 * order (`seq`, assigned by the single relay). Sent outbox rows are purged by age.
 */
export class CreateEventStore1732570000000 implements MigrationInterface {
  name = 'CreateEventStore1732570000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE platform.event_store (
        seq bigserial PRIMARY KEY,
        tenant_id text NOT NULL,
        event_id uuid NOT NULL,
        type text NOT NULL,
        aggregate text NOT NULL,
        event jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Replay reads one tenant from a cursor: tenant first, then seq.
    await q.query(`CREATE INDEX event_store_tenant_seq_idx ON platform.event_store (tenant_id, seq)`);
    // Retention deletes by age; stored_at grows with seq, so a BRIN index is tiny and cheap to keep.
    await q.query(`CREATE INDEX event_store_stored_at_brin ON platform.event_store USING brin (stored_at)`);
    await q.query(`CREATE INDEX outbox_created_at_brin ON platform.outbox USING brin (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX platform.outbox_created_at_brin');
    await q.query('DROP TABLE platform.event_store');
  }
}
