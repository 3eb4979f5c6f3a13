import { namedSql } from '@credence/database';

/** The lock every relay candidate tries; its holder is the one relay of the deployment. */
export const RELAY_LOCK = 'credence:event-relay';

export const TRY_LEAD = 'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS leader';

/** Oldest unpublished first. A row committed late with a lower position is simply picked up next round. */
export const NEXT_BATCH = namedSql(
  'relay_next_batch',
  `
  SELECT o.position::text AS position, tenant_id AS "tenantId", aggregate, type, event::text AS event
  FROM platform.outbox o WHERE published_at IS NULL ORDER BY o.position LIMIT $1`,
);

/**
 * Marks the batch just published sent, appends it to the event store, and reads the next batch,
 * in one round trip. Only the leader runs it, one batch at a time, so the store's seq follows
 * publication order and never has a late gap a replay cursor could skip. The SELECT sees the
 * table as it was before the UPDATE, so it leaves the batch out by position.
 */
export const MARK_SENT_AND_NEXT = namedSql(
  'relay_mark_sent_and_next',
  `
  WITH sent AS (
    UPDATE platform.outbox SET published_at = now()
    WHERE position = ANY($1::bigint[]) AND published_at IS NULL
    RETURNING position, event_id, tenant_id, aggregate, type, event, created_at
  ), stored AS (
    INSERT INTO platform.event_store (tenant_id, event_id, type, aggregate, event, occurred_at)
    SELECT tenant_id, event_id, type, aggregate, event, created_at FROM sent ORDER BY position
  )
  SELECT o.position::text AS position, o.tenant_id AS "tenantId", o.aggregate, o.type, o.event::text AS event
  FROM platform.outbox o
  WHERE o.published_at IS NULL AND o.position <> ALL($1::bigint[])
  ORDER BY o.position LIMIT $2`,
);
