import { Injectable, Logger } from '@nestjs/common';
import type { CredenceCloudEvent } from '@credence/contracts';
import { eventOwners, WebhookOwner, WebhookUnits } from '../scope/webhook-units';
import { Subscription, WebhookCache } from '../subscriptions/webhook-cache';
import { DeliverAttempt } from './deliver-attempt';
import { matchesType } from './event-filter';
import { KeyedBatcher } from './keyed-batcher';
import { EventFanOut, recordDeliveries } from './record-deliveries';
import { WebhookQueue } from './webhook-queue';

export { WEBHOOK_ACTOR } from '../scope/webhook-units';

/** Events of one scope written in one unit of work (and first attempted by one job). */
export const EVENTS_PER_UNIT = 50;

/** One event's part of a batch: its deliveries queued, or why it could not be. */
type Fanned = { queued: number } | { failed: unknown };

/**
 * One event → one delivery row per matching enabled subscription of its scope (its tenant's, or the
 * platform's for platform events, both for `tenant.*`: see eventOwners), then queued. The transport
 * hands many events over at once (a handler each, side by side); those of one scope are batched
 * (KeyedBatcher): one subscriptions check, one unit of work writing every row, and one job for all
 * their first attempts (WebhookQueue.enqueueFirst), so the database and the queue are paid per batch,
 * not per event. The subscriptions come from WebhookCache, so events no subscription wants cost no
 * database transaction. An event's handler resolves once its rows are written and queued; a batch
 * that fails is written again event by event, so one event that cannot be written fails alone.
 */
@Injectable()
export class WebhookFanOut {
  private readonly log = new Logger('WebhookFanOut');
  private readonly batches = new KeyedBatcher<CredenceCloudEvent, Fanned>((owner, events) => this.fanOutBatch(owner, events), EVENTS_PER_UNIT, 1);

  constructor(
    private readonly units: WebhookUnits,
    private readonly cache: WebhookCache,
    private readonly queue: WebhookQueue,
    private readonly deliver: DeliverAttempt,
  ) {}

  /** The deliveries queued for the event; rejects when they could not be written or queued (the transport then redelivers it). */
  async fanOut(event: CredenceCloudEvent): Promise<number> {
    const parts = await Promise.all(eventOwners(event).map((owner) => this.batches.submit(owner, event)));
    let queued = 0;
    for (const part of parts) {
      if ('failed' in part) throw part.failed;
      queued += part.queued;
    }
    return queued;
  }

  private async fanOutBatch(owner: WebhookOwner, events: CredenceCloudEvent[]): Promise<Fanned[]> {
    const subs = await this.cache.subscriptions(owner, () =>
      this.units.asSystem(owner, (uow) => uow.query<Subscription[]>(`SELECT id, event_types, exclude_fields, include_fields FROM webhooks WHERE enabled ORDER BY id`)),
    );
    // An event the transport handed over twice at once is written once.
    const byId = new Map<string, EventFanOut>();
    for (const event of events) byId.set(event.id, { event, subs: (subs ?? []).filter((s) => matchesType(s.event_types, event.type)) });
    const wanted = [...byId.values()].filter((f) => f.subs.length);
    if (!wanted.length) return events.map(() => ({ queued: 0 })); // also a tenant that is gone
    try {
      const queued = await this.write(owner, wanted);
      return events.map((e) => ({ queued: queued.get(e.id) ?? 0 }));
    } catch (err) {
      if (wanted.length === 1) return events.map(() => ({ failed: err }));
      this.log.warn({ owner, events: wanted.length, err: (err as Error).message }, 'webhook fan-out batch failed; writing its events one by one');
      const alone = new Map<string, Fanned>();
      for (const f of wanted) alone.set(f.event.id, await this.writeAlone(owner, f));
      return events.map((e) => alone.get(e.id) ?? { queued: 0 });
    }
  }

  private writeAlone(owner: WebhookOwner, fanOut: EventFanOut): Promise<Fanned> {
    return this.write(owner, [fanOut]).then(
      (queued) => ({ queued: queued.get(fanOut.event.id) ?? 0 }),
      (failed: unknown) => ({ failed }),
    );
  }

  /** Writes the rows and queues one job for their first attempts; the deliveries queued per event id. */
  private async write(owner: WebhookOwner, fanOuts: EventFanOut[]): Promise<Map<string, number>> {
    const pending = (await this.units.asSystem(owner, (uow) => recordDeliveries(uow, fanOuts))) ?? [];
    this.deliver.prime(owner, pending);
    await this.queue.enqueueFirst(
      owner,
      pending.map((p) => p.id),
    );
    const queued = new Map<string, number>();
    for (const p of pending) queued.set(p.event_id, (queued.get(p.event_id) ?? 0) + 1);
    return queued;
  }
}
