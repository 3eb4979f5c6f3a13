import { sqlLiteral } from '@credence/database';
import { PendingEvent } from './event-factory';

/**
 * Appends events to platform.outbox and commits, as one simple-protocol query: the last round trip of
 * a unit of work that emitted events (TenantTransactionRunner). The simple protocol takes no bound
 * parameters, so every value is a literal escaped as pg's own `escapeLiteral` escapes it (quotes and
 * backslashes doubled, `E''` when needed; sqlLiteral, a faster equal of it). A failure of the insert
 * (row security, say) skips the COMMIT and leaves the transaction for the caller to roll back.
 *
 * No NOTIFY: a notifying commit holds a database-wide lock through its WAL flush, which serialised
 * every such commit behind the one before. The relay is woken after the commit instead (libs/event-relay).
 */
/** The outbox's columns as every writer fills them, in the order of outboxRowParams(). */
export const OUTBOX_COLUMNS = 'event_id, tenant_id, aggregate, type, event';

/**
 * An event's outbox row as bound parameters, in the order of OUTBOX_COLUMNS: for a statement that
 * writes the row of its own event (UnitOfWork.emitWritten) instead of leaving it to the commit.
 */
export function outboxRowParams(e: PendingEvent): [id: string, tenantId: string, aggregate: string, type: string, envelope: string] {
  return [e.envelope.id, e.envelope.tenantid, e.aggregate, e.envelope.type, JSON.stringify(e.envelope)];
}

export function outboxThenCommitSql(events: PendingEvent[]): string {
  if (!events.length) return 'COMMIT';
  const rows = events.map(
    (e) =>
      `(${sqlLiteral(e.envelope.id)}::uuid, ${sqlLiteral(e.envelope.tenantid)}, ${sqlLiteral(e.aggregate)}, ${sqlLiteral(e.envelope.type)}, ${sqlLiteral(JSON.stringify(e.envelope))}::jsonb)`,
  );
  return `INSERT INTO platform.outbox (${OUTBOX_COLUMNS}) VALUES ${rows.join(', ')};
COMMIT`;
}
