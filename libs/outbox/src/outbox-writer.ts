import { EntityManager } from 'typeorm';
import { PendingEvent } from './event-factory';

export const OUTBOX_CHANNEL = 'credence_outbox';

/** Appends events to platform.outbox inside the caller's transaction and wakes the relay at commit. */
export async function writeToOutbox(manager: EntityManager, events: PendingEvent[]): Promise<void> {
  if (!events.length) return;
  const values: unknown[] = [];
  const rows = events.map((e, i) => {
    values.push(e.envelope.id, e.envelope.tenantid, e.aggregate, e.envelope.type, JSON.stringify(e.envelope));
    const p = i * 5;
    return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}::jsonb)`;
  });
  values.push(OUTBOX_CHANNEL, String(events.length));
  // One round trip: insert and notify together (the notification is delivered at commit).
  await manager.query(
    `WITH written AS (INSERT INTO platform.outbox (event_id, tenant_id, aggregate, type, event) VALUES ${rows.join(', ')} RETURNING 1)
     SELECT pg_notify($${values.length - 1}, $${values.length}) FROM (SELECT count(*) FROM written) c`,
    values,
  );
}
