import { escapeLiteral } from 'pg';
import { PendingEvent } from './event-factory';

export const OUTBOX_CHANNEL = 'credence_outbox';

/**
 * Appends events to platform.outbox, wakes the relay and commits, as one simple-protocol query: the
 * last round trip of a unit of work that emitted events (TenantTransactionRunner). The simple protocol
 * takes no bound parameters, so every value is a literal escaped by pg's own `escapeLiteral` (quotes
 * and backslashes doubled, `E''` when needed), the one function node-postgres offers for this. A failure
 * of the insert (row security, say) skips the COMMIT and leaves the transaction for the caller to roll back.
 */
export function outboxThenCommitSql(events: PendingEvent[]): string {
  if (!events.length) return 'COMMIT';
  const rows = events.map(
    (e) =>
      `(${escapeLiteral(e.envelope.id)}::uuid, ${escapeLiteral(e.envelope.tenantid)}, ${escapeLiteral(e.aggregate)}, ${escapeLiteral(e.envelope.type)}, ${escapeLiteral(JSON.stringify(e.envelope))}::jsonb)`,
  );
  // The notification is delivered at commit.
  return `INSERT INTO platform.outbox (event_id, tenant_id, aggregate, type, event) VALUES ${rows.join(', ')};
SELECT pg_notify('${OUTBOX_CHANNEL}', '${events.length}');
COMMIT`;
}
