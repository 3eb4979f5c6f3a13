import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { CredenceCloudEvent } from '@credence/contracts';
import type { UnitOfWork } from '@credence/tenancy';
import { eventOwners, WebhookOwner, WebhookUnits } from '../scope/webhook-units';
import { Subscription, WebhookCache } from '../subscriptions/webhook-cache';
import { DeliverAttempt, DeliveryTarget } from './deliver-attempt';
import { deliveryBody, matchesType } from './event-filter';
import { WebhookQueue } from './webhook-queue';

export { WEBHOOK_ACTOR } from '../scope/webhook-units';

/**
 * One event → one delivery row per matching enabled subscription of its scope (its tenant's, or the
 * platform's for platform events, both for `tenant.*`: see eventOwners), then one queued job each. Rows are unique per
 * (webhook, event): an event the transport delivers twice (a crash before the ack) queues the same
 * deliveries again, which the job ids make a no-op. The first attempts of an event's deliveries are
 * one job (WebhookQueue.enqueueFirst): the queue's cost is paid per event, not per delivery. The subscriptions come from WebhookCache, so an
 * event no subscription wants costs no database transaction.
 */
@Injectable()
export class WebhookFanOut {
  constructor(
    private readonly units: WebhookUnits,
    private readonly cache: WebhookCache,
    private readonly queue: WebhookQueue,
    private readonly deliver: DeliverAttempt,
  ) {}

  async fanOut(event: CredenceCloudEvent): Promise<number> {
    let queued = 0;
    for (const owner of eventOwners(event)) queued += await this.fanOutIn(owner, event);
    return queued;
  }

  private async fanOutIn(owner: WebhookOwner, event: CredenceCloudEvent): Promise<number> {
    const subs = await this.cache.subscriptions(owner, () =>
      this.units.asSystem(owner, (uow) => uow.query<Subscription[]>(`SELECT id, event_types, exclude_fields, include_fields FROM webhooks WHERE enabled ORDER BY id`)),
    );
    const matching = (subs ?? []).filter((s) => matchesType(s.event_types, event.type));
    if (!matching.length) return 0; // also a tenant that is gone
    const pending = (await this.units.asSystem(owner, (uow) => record(uow, event, matching))) ?? [];
    this.deliver.prime(owner, pending);
    await this.queue.enqueueFirst(
      owner,
      event.id,
      pending.map((p) => p.id),
    );
    return pending.length;
  }
}

/**
 * Writes the delivery rows (the body each subscription receives, fixed now) and returns those still
 * pending, each with what its first attempt needs (DeliveryTarget), read in the same statement. A
 * subscription deleted or disabled since the cache read it is skipped (no row can reference it).
 */
export async function record(uow: UnitOfWork, event: CredenceCloudEvent, subs: Subscription[]): Promise<DeliveryTarget[]> {
  if (!subs.length) return [];
  const rows = subs.map((s) => ({ id: uuidv7(), webhook_id: s.id, body: deliveryBody(event, s.exclude_fields, s.include_fields) }));
  const found = await uow.query<DeliveryTarget[]>(
    `WITH ins AS (
       INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, aggregate, body)
       SELECT r.id, r.webhook_id, $1, $2, $3, r.body FROM jsonb_to_recordset($4::jsonb) AS r(id uuid, webhook_id uuid, body text)
        WHERE EXISTS (SELECT 1 FROM webhooks w WHERE w.id = r.webhook_id AND w.enabled)
       ON CONFLICT (webhook_id, event_id) DO UPDATE SET updated_at = webhook_deliveries.updated_at
       RETURNING id, webhook_id, event_id, body, status)
     SELECT ins.id, ins.webhook_id, ins.event_id, ins.body, ins.status, w.url, w.enabled, w.secrets, w.failing_since IS NOT NULL AS failing,
            w.ordered AND EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = ins.webhook_id AND e.aggregate = $3
                                    AND e.id < ins.id AND e.status IN ('pending', 'failed')) AS blocked
       FROM ins JOIN webhooks w ON w.id = ins.webhook_id
      WHERE ins.status = 'pending'
      ORDER BY ins.id`,
    [event.id, event.type, String(event.subject ?? ''), JSON.stringify(rows)],
  );
  return found;
}
