import { v7 as uuidv7 } from 'uuid';
import type { CredenceCloudEvent } from '@credence/contracts';
import type { UnitOfWork } from '@credence/tenancy';
import type { Subscription } from '../subscriptions/webhook-cache';
import type { DeliveryTarget } from './deliver-attempt';
import { deliveryBody } from './event-filter';

/** An event and the subscriptions of one scope that want it. */
export interface EventFanOut {
  event: CredenceCloudEvent;
  subs: Subscription[];
}

/**
 * Writes the delivery rows of many events (the body each subscription receives, fixed now) in one
 * statement and returns those still pending, each with what its first attempt needs
 * (DeliveryTarget), read in the same statement. A subscription deleted or disabled since the cache
 * read it is skipped (no row can reference it). Rows are unique per (webhook, event): an event written
 * again (the transport redelivered it) returns its rows as they are. The events of one call must be of
 * different aggregates (the transport hands an aggregate's events over one after another): the order
 * check (`blocked`) sees the rows of earlier statements only.
 */
export async function recordDeliveries(uow: UnitOfWork, fanOuts: readonly EventFanOut[]): Promise<DeliveryTarget[]> {
  // Subscriptions with the same fields filter get the same body: made and sent to Postgres once per event.
  const bodies: string[] = [];
  const rows = fanOuts.flatMap(({ event, subs }) => {
    const made = new Map<string, number>();
    return subs.map((s) => {
      const filter = `${s.exclude_fields.join(',')}|${s.include_fields.join(',')}`;
      let b = made.get(filter);
      // 1-based, as Postgres arrays are.
      if (b === undefined) made.set(filter, (b = bodies.push(deliveryBody(event, s.exclude_fields, s.include_fields))));
      return { id: uuidv7(), webhook_id: s.id, event_id: event.id, event_type: event.type, aggregate: String(event.subject ?? ''), b };
    });
  });
  if (!rows.length) return [];
  return uow.query<DeliveryTarget[]>(
    `WITH ins AS (
       INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, aggregate, body)
       SELECT r.id, r.webhook_id, r.event_id, r.event_type, r.aggregate, ($2::text[])[r.b]
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, webhook_id uuid, event_id uuid, event_type text, aggregate text, b int)
        WHERE EXISTS (SELECT 1 FROM webhooks w WHERE w.id = r.webhook_id AND w.enabled)
       ON CONFLICT (webhook_id, event_id) DO UPDATE SET updated_at = webhook_deliveries.updated_at
       RETURNING id, webhook_id, event_id, aggregate, body, status)
     SELECT ins.id, ins.webhook_id, ins.event_id, ins.body, ins.status, w.url, w.enabled, w.secrets, w.failing_since IS NOT NULL AS failing,
            w.ordered AND EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = ins.webhook_id AND e.aggregate = ins.aggregate
                                    AND e.id < ins.id AND e.status IN ('pending', 'failed')) AS blocked
       FROM ins JOIN webhooks w ON w.id = ins.webhook_id
      WHERE ins.status = 'pending'
      ORDER BY ins.id`,
    [JSON.stringify(rows), bodies],
  );
}
