import { PERSONAL_PAYLOAD_FIELDS } from '@credence/contracts';

/** Raw SQL inside the caller's transaction (a tenant's UnitOfWork fits). */
export interface SqlExecutor {
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
}

/**
 * The rows of a table of CloudEvents (`event` jsonb, `tenant_id`, `aggregate`) that are a user's
 * events (`data.user_id`, or subject `user/<id>`, as the audit trail decides whom an event concerns)
 * and still hold a personal field, those fields set to null. $1 tenant id, $2 user id, $3 the fields.
 * The outbox and the event store (which copies outbox rows) share it.
 */
export function blankUserEventsSql(table: 'platform.outbox' | 'platform.event_store'): string {
  return `WITH done AS (
  UPDATE ${table} o
     SET event = jsonb_set(o.event, '{data}', (
       SELECT jsonb_object_agg(d.key, CASE WHEN d.key = ANY($3::text[]) THEN 'null'::jsonb ELSE d.value END)
         FROM jsonb_each(o.event->'data') d))
   WHERE o.tenant_id = $1
     AND (o.event->'data'->>'user_id' = $2 OR o.aggregate = 'user/' || $2)
     AND CASE WHEN jsonb_typeof(o.event->'data') = 'object'
              THEN EXISTS (SELECT 1 FROM jsonb_each(o.event->'data') d WHERE d.key = ANY($3::text[]) AND d.value <> 'null'::jsonb)
              ELSE false END
  RETURNING 1)
SELECT count(*)::int AS n FROM done`;
}

const BLANK_OUTBOX = blankUserEventsSql('platform.outbox');

/**
 * Erasure's part in platform.outbox: nulls the personal fields of the user's events, sent or not,
 * in the caller's transaction. An unsent row is then published without them. Call it before the
 * event store's erasure in the same transaction: the relay copies a row into the store from the
 * outbox as it marks it sent, so a row it marks meanwhile either waits for this update and copies
 * the blank row, or is in the store by the time the store is blanked. It scans the outbox: no index
 * serves it, as one would cost every event its upkeep (docs/architecture.md).
 */
export async function eraseUserFromOutbox(db: SqlExecutor, tenantId: string, userId: string): Promise<number> {
  const [{ n }] = await db.query<{ n: number }[]>(BLANK_OUTBOX, [tenantId, userId, PERSONAL_PAYLOAD_FIELDS]);
  return n;
}
