import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { subjects } from '@credence/contracts';
import { KeyEncryption } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { WebhookHttp, WebhookResponse } from '../outbound/webhook-http';
import { WebhookOwner, WebhookUnits } from '../scope/webhook-units';
import { signatureHeader } from '../signing/signature';
import { openSecrets, signingSecrets, WebhookSecrets } from '../signing/webhook-secrets';
import { WebhookCache } from '../subscriptions/webhook-cache';
import { EndpointSlots } from './endpoint-slots';
import { KeyedBatcher } from './keyed-batcher';
import { WebhookQueue } from './webhook-queue';

export interface Attempt {
  at: string;
  duration_ms: number;
  response_status: number | null;
  response_excerpt: string | null;
  error?: string;
}

/** What the job should do next; `wait` moves it back to delayed for that long without spending an attempt. */
export type AttemptOutcome = 'delivered' | 'retry' | 'dead' | 'skipped' | { wait: number };

/** How long a delivery waits behind an earlier open delivery of its aggregate. */
export const ORDER_WAIT_MS = 500;

/** What an attempt needs of a delivery and its endpoint. */
export interface DeliveryTarget {
  id: string;
  webhook_id: string;
  event_id: string;
  body: string;
  status: string;
  url: string;
  enabled: boolean;
  /** The endpoint has a failure streak (an answer ends it). */
  failing: boolean;
  /** An earlier delivery of the same aggregate to this endpoint is still open, and the endpoint wants order. */
  blocked: boolean;
  secrets: Buffer;
}

/** How long a delivery the fan-out wrote is kept here for its first attempt. */
const PRIMED_MS = 30_000;
const MAX_PRIMED = 50_000;

interface Outcome {
  id: string;
  webhook_id: string;
  status: 'delivered' | 'failed' | 'dead';
  /** None when the delivery was not sent (its endpoint is disabled). */
  attempt?: Attempt;
  /** The endpoint had a failure streak when the delivery was read. */
  failing?: boolean;
}

/**
 * One attempt of one delivery: checks the order (an earlier delivery of the same aggregate to the
 * same endpoint still open means wait), signs with every live secret, posts through the SSRF guard
 * (DNS checked again now), and records the attempt, the delivery's status and the endpoint's failure
 * streak; a streak past WEBHOOK_DISABLE_AFTER_SECONDS disables the endpoint.
 *
 * The reads and the writes of the attempts in flight for one scope are batched (KeyedBatcher): one
 * transaction reads many deliveries, one records many attempts. A slow endpoint holds at most
 * PER_ENDPOINT of the worker's slots, a silent one a single slot (EndpointSlots).
 */
@Injectable()
export class DeliverAttempt {
  private readonly log = new Logger('WebhookDelivery');
  private readonly slots: EndpointSlots;
  private readonly primed = new Map<string, { target: DeliveryTarget; expires: number }>();
  private readonly reads: KeyedBatcher<string, DeliveryTarget | undefined>;
  private readonly writes: KeyedBatcher<Outcome, void>;

  constructor(
    private readonly units: WebhookUnits,
    private readonly kek: KeyEncryption,
    private readonly http: WebhookHttp,
    private readonly cache: WebhookCache,
    private readonly queue: WebhookQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.reads = new KeyedBatcher((owner, ids) => this.load(owner, ids));
    this.writes = new KeyedBatcher((owner, outcomes) => this.record(owner, outcomes), 500, 1);
    this.slots = new EndpointSlots(config.WEBHOOK_TIMEOUT_MS);
  }

  /**
   * Deliveries the fan-out has just written, with what their first attempt needs: that attempt, in
   * this process, then reads nothing. A job run elsewhere, or later, reads the database as usual.
   */
  prime(owner: WebhookOwner, targets: readonly DeliveryTarget[]): void {
    if (this.primed.size + targets.length > MAX_PRIMED) this.primed.clear();
    const expires = Date.now() + PRIMED_MS;
    for (const t of targets) this.primed.set(`${owner}:${t.id}`, { target: t, expires });
  }

  private takePrimed(owner: WebhookOwner, deliveryId: string): DeliveryTarget | undefined {
    const key = `${owner}:${deliveryId}`;
    const hit = this.primed.get(key);
    if (!hit) return undefined;
    this.primed.delete(key);
    return hit.expires > Date.now() ? hit.target : undefined;
  }

  /** `jobId`: the BullMQ job the delivery goes on as when it must wait (its own, or the one `later` adds). */
  async run(owner: WebhookOwner, deliveryId: string, last: boolean, jobId = deliveryId): Promise<AttemptOutcome> {
    let target = this.takePrimed(owner, deliveryId) ?? (await this.reads.submit(owner, deliveryId));
    if (!target) return 'skipped';
    if (!target.enabled) {
      // Not sent while the endpoint is disabled; left failed, so redeliver-failed picks it up after re-enabling.
      await this.writes.submit(owner, { id: target.id, webhook_id: target.webhook_id, status: 'failed' });
      return 'skipped';
    }
    if (target.blocked) return { wait: ORDER_WAIT_MS };
    const waited = !this.slots.hasFree(target.webhook_id);
    const slotted = await this.slots.acquire(target.webhook_id);
    if (slotted === undefined) return { wait: this.slots.park(target.webhook_id, jobId) };
    if (waited) {
      // Read before a wait of up to seconds: the webhook may have been deleted, disabled or changed since.
      const fresh = await this.reads.submit(owner, deliveryId).catch((err: Error) => err);
      if (fresh instanceof Error || !fresh?.enabled || fresh.blocked) {
        this.slots.release(target.webhook_id, slotted);
        if (fresh instanceof Error) throw fresh;
        return fresh ? this.run(owner, deliveryId, last, jobId) : 'skipped';
      }
      target = fresh;
    }
    let attempt: Attempt | undefined;
    try {
      attempt = await this.attempt(owner, target);
    } finally {
      // The endpoint is done with; recording the attempt needs no slot.
      const wake = this.slots.release(target.webhook_id, slotted, attempt?.response_status != null);
      if (wake.length) this.queue.wake(wake).catch((err: Error) => this.log.warn({ webhook_id: target.webhook_id, err: err.message }, 'could not wake parked deliveries'));
    }
    const outcome = !attempt.error ? 'delivered' : last ? 'dead' : 'retry';
    await this.writes.submit(owner, { id: target.id, webhook_id: target.webhook_id, status: outcome === 'retry' ? 'failed' : outcome, attempt, failing: target.failing });
    return outcome;
  }

  /** Signs and posts; the attempt as recorded (with `error` when it failed). */
  private async attempt(owner: WebhookOwner, target: DeliveryTarget): Promise<Attempt> {
    const opened = this.cache.secrets<WebhookSecrets>(owner, target.webhook_id, target.secrets, () => openSecrets(this.kek, owner, target.webhook_id, target.secrets));
    const secrets = signingSecrets(opened);
    const started = Date.now();
    const timestamp = Math.floor(started / 1000);
    let response: WebhookResponse | undefined;
    let error: string | undefined;
    try {
      const { url, address } = await this.http.vet(target.url);
      response = await this.http.post(
        url,
        address,
        { 'webhook-id': target.event_id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatureHeader(secrets, target.event_id, timestamp, target.body) },
        target.body,
      );
      if (response.status >= 300 && response.status < 400) error = `redirect (${response.status}) not followed`;
      else if (response.status < 200 || response.status >= 300) error = `answered ${response.status}`;
    } catch (err) {
      error = err instanceof DomainError ? err.message : (err as Error).message;
    }
    const duration = Date.now() - started;
    return {
      at: new Date(started).toISOString(),
      duration_ms: duration,
      response_status: response?.status ?? null,
      response_excerpt: response?.excerpt ?? null,
      ...(error ? { error } : {}),
    };
  }

  /** The deliveries still to send, with their endpoint, in one transaction; undefined for those delivered, dead or gone. */
  private async load(owner: WebhookOwner, ids: string[]): Promise<(DeliveryTarget | undefined)[]> {
    const rows =
      (await this.units.asSystem(owner, (uow) =>
        uow.query<DeliveryTarget[]>(
          `SELECT d.id, d.webhook_id, d.event_id, d.body, d.status, w.url, w.enabled, w.secrets, w.failing_since IS NOT NULL AS failing,
                  w.ordered AND EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id AND e.aggregate = d.aggregate
                                          AND e.id < d.id AND e.status IN ('pending', 'failed')) AS blocked
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.id = ANY($1::uuid[]) AND d.status IN ('pending', 'failed')`,
          [ids],
        ),
      )) ?? [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id));
  }

  /**
   * The attempts of many deliveries in one transaction: their statuses and attempts in one statement,
   * the failure streaks of the endpoints that answered cleared in another; an endpoint that failed
   * has its streak started, and is disabled (with webhook.disabled) once it is too long.
   */
  private async record(owner: WebhookOwner, outcomes: Outcome[]): Promise<void[]> {
    await this.units.asSystem(owner, async (uow) => {
      // One statement: the deliveries, and the streaks of the failing endpoints that answered now.
      const answered = [...new Set(outcomes.filter((o) => o.status === 'delivered').map((o) => o.webhook_id))];
      const cleared = [...new Set(outcomes.filter((o) => o.status === 'delivered' && o.failing).map((o) => o.webhook_id))];
      await uow.query(
        `WITH streaks AS (UPDATE webhooks SET failing_since = NULL WHERE id = ANY($2::uuid[]) AND failing_since IS NOT NULL)
         UPDATE webhook_deliveries d SET status = r.status, attempts = CASE WHEN r.attempt IS NULL THEN d.attempts ELSE d.attempts || jsonb_build_array(r.attempt) END,
                updated_at = now()
           FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, status text, attempt jsonb)
          WHERE d.id = r.id`,
        [JSON.stringify(outcomes.map((o) => ({ id: o.id, status: o.status, attempt: o.attempt ?? null }))), cleared],
      );
      const failed = new Map<string, Attempt>();
      for (const o of outcomes) if (o.status !== 'delivered' && o.attempt && !answered.includes(o.webhook_id)) failed.set(o.webhook_id, o.attempt);
      for (const [webhookId, attempt] of failed) {
        const [w] = await uow.query<{ failing_since: Date; enabled: boolean; url: string }[]>(
          `UPDATE webhooks SET failing_since = COALESCE(failing_since, $2::timestamptz) WHERE id = $1 RETURNING failing_since, enabled, url`,
          [webhookId, attempt.at],
        );
        if (!w || !w.enabled || Date.now() - w.failing_since.getTime() < this.config.WEBHOOK_DISABLE_AFTER_SECONDS * 1000) continue;
        const reason = `every delivery failed since ${w.failing_since.toISOString()}; last: ${attempt.error}`.slice(0, 2000);
        await uow.query(`UPDATE webhooks SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1`, [webhookId, reason]);
        uow.emit('webhook.disabled', subjects.webhook(webhookId), { webhook_id: webhookId, url: w.url, reason, failing_since: w.failing_since.toISOString() });
        this.log.warn({ webhook_id: webhookId }, 'webhook disabled after failing too long');
      }
    });
    return outcomes.map(() => undefined);
  }
}
