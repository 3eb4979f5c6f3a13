import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { CredenceCloudEvent } from '@credence/contracts';
import type { UnitOfWork } from '@credence/tenancy';
import { eventOwner, WebhookUnits } from '../scope/webhook-units';
import { Subscription, WebhookCache } from '../subscriptions/webhook-cache';
import { deliveryBody, matchesType } from './event-filter';
import { WebhookQueue } from './webhook-queue';

export { WEBHOOK_ACTOR } from '../scope/webhook-units';

/**
 * One event → one delivery row per matching enabled subscription of its scope (its tenant's, or the
 * platform's for platform events: see eventOwner), then one queued job each. Rows are unique per
 * (webhook, event): an event the transport delivers twice (a crash before the ack) queues the same
 * deliveries again, which the job ids make a no-op. The subscriptions come from WebhookCache, so an
 * event no subscription wants costs no database transaction.
 */
@Injectable()
export class WebhookFanOut {
  constructor(
    private readonly units: WebhookUnits,
    private readonly cache: WebhookCache,
    private readonly queue: WebhookQueue,
  ) {}

  async fanOut(event: CredenceCloudEvent): Promise<number> {
    const owner = eventOwner(event);
    if (!owner) return 0;
    const subs = await this.cache.subscriptions(owner, () =>
      this.units.asSystem(owner, (uow) => uow.query<Subscription[]>(`SELECT id, event_types, exclude_fields, include_fields FROM webhooks WHERE enabled ORDER BY id`)),
    );
    const matching = (subs ?? []).filter((s) => matchesType(s.event_types, event.type));
    if (!matching.length) return 0; // also a tenant that is gone
    const pending = (await this.units.asSystem(owner, (uow) => record(uow, event, matching))) ?? [];
    await this.queue.enqueue(owner, pending);
    return pending.length;
  }
}

/**
 * Writes the delivery rows (the body each subscription receives, fixed now) and returns the ids still
 * pending. A subscription deleted since the cache read it is skipped (no row can reference it).
 */
export async function record(uow: UnitOfWork, event: CredenceCloudEvent, subs: Subscription[]): Promise<string[]> {
  if (!subs.length) return [];
  const rows = subs.map((s) => ({ id: uuidv7(), webhook_id: s.id, body: deliveryBody(event, s.exclude_fields, s.include_fields) }));
  const found = await uow.query<{ id: string; status: string }[]>(
    `INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, aggregate, body)
     SELECT r.id, r.webhook_id, $1, $2, $3, r.body FROM jsonb_to_recordset($4::jsonb) AS r(id uuid, webhook_id uuid, body text)
      WHERE EXISTS (SELECT 1 FROM webhooks w WHERE w.id = r.webhook_id AND w.enabled)
     ON CONFLICT (webhook_id, event_id) DO UPDATE SET updated_at = webhook_deliveries.updated_at
     RETURNING id, status`,
    [event.id, event.type, String(event.subject ?? ''), JSON.stringify(rows)],
  );
  return found
    .filter((r) => r.status === 'pending')
    .map((r) => r.id)
    .sort();
}
