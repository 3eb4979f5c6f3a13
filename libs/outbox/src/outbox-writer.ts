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
  await manager.query(
    `INSERT INTO platform.outbox (event_id, tenant_id, aggregate, type, event) VALUES ${rows.join(', ')}`,
    values,
  );
  await manager.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, String(events.length)]);
}
