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
import { KeyedBatcher } from './keyed-batcher';

export interface Attempt {
  at: string;
  duration_ms: number;
  response_status: number | null;
  response_excerpt: string | null;
  error?: string;
}

/** What the job should do next; `wait` moves it back to delayed for that long without spending an attempt. */
export type AttemptOutcome = 'delivered' | 'retry' | 'dead' | 'skipped' | { wait: number };

/** Deliveries to one endpoint at once per process. */
export const PER_ENDPOINT = 4;

/** How long a delivery waits behind an earlier open delivery of its aggregate. */
export const ORDER_WAIT_MS = 500;

interface Target {
  id: string;
  webhook_id: string;
  event_id: string;
  body: string;
  status: string;
  url: string;
  enabled: boolean;
  blocked: boolean;
  secrets: Buffer;
}

interface Outcome {
  id: string;
  webhook_id: string;
  status: 'delivered' | 'failed' | 'dead';
  /** None when the delivery was not sent (its endpoint is disabled). */
  attempt?: Attempt;
}

/**
 * One attempt of one delivery: checks the order (an earlier delivery of the same aggregate to the
 * same endpoint still open means wait), signs with every live secret, posts through the SSRF guard
 * (DNS checked again now), and records the attempt, the delivery's status and the endpoint's failure
 * streak; a streak past WEBHOOK_DISABLE_AFTER_SECONDS disables the endpoint.
 *
 * The reads and the writes of the attempts in flight for one scope are batched (KeyedBatcher): one
 * transaction reads many deliveries, one records many attempts. A slow endpoint holds at most
 * PER_ENDPOINT of the worker's slots; the others wait about as long as that endpoint takes to answer.
 */
@Injectable()
export class DeliverAttempt {
  private readonly log = new Logger('WebhookDelivery');
  private readonly inFlight = new Map<string, number>();
  /** Each endpoint's recent attempt duration (moving average): how long its waiting deliveries wait. */
  private readonly latency = new Map<string, number>();
  private readonly reads: KeyedBatcher<string, Target | undefined>;
  private readonly writes: KeyedBatcher<Outcome, void>;

  constructor(
    private readonly units: WebhookUnits,
    private readonly kek: KeyEncryption,
    private readonly http: WebhookHttp,
    private readonly cache: WebhookCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.reads = new KeyedBatcher((owner, ids) => this.load(owner, ids));
    this.writes = new KeyedBatcher((owner, outcomes) => this.record(owner, outcomes));
  }

  async run(owner: WebhookOwner, deliveryId: string, last: boolean): Promise<AttemptOutcome> {
    const target = await this.reads.submit(owner, deliveryId);
    if (!target) return 'skipped';
    if (!target.enabled) {
      // Not sent while the endpoint is disabled; left failed, so redeliver-failed picks it up after re-enabling.
      await this.writes.submit(owner, { id: target.id, webhook_id: target.webhook_id, status: 'failed' });
      return 'skipped';
    }
    if (target.blocked) return { wait: ORDER_WAIT_MS };
    const busy = this.inFlight.get(target.webhook_id) ?? 0;
    if (busy >= PER_ENDPOINT) return { wait: this.waitFor(target.webhook_id) };
    this.inFlight.set(target.webhook_id, busy + 1);
    try {
      return await this.attempt(owner, target, last);
    } finally {
      const left = (this.inFlight.get(target.webhook_id) ?? 1) - 1;
      if (left > 0) this.inFlight.set(target.webhook_id, left);
      else this.inFlight.delete(target.webhook_id);
    }
  }

  /** About one answer of the endpoint, with jitter, so a hanging endpoint's backlog is not polled every few ms. */
  private waitFor(webhookId: string): number {
    const typical = this.latency.get(webhookId) ?? 100;
    return Math.round(Math.min(Math.max(typical, 100), this.config.WEBHOOK_TIMEOUT_MS) * (0.75 + Math.random() * 0.5));
  }

  private async attempt(owner: WebhookOwner, target: Target, last: boolean): Promise<AttemptOutcome> {
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
    this.latency.set(target.webhook_id, Math.round(0.7 * (this.latency.get(target.webhook_id) ?? duration) + 0.3 * duration));
    if (this.latency.size > 10_000) this.latency.clear();
    const attempt: Attempt = {
      at: new Date(started).toISOString(),
      duration_ms: duration,
      response_status: response?.status ?? null,
      response_excerpt: response?.excerpt ?? null,
      ...(error ? { error } : {}),
    };
    const outcome = !error ? 'delivered' : last ? 'dead' : 'retry';
    await this.writes.submit(owner, { id: target.id, webhook_id: target.webhook_id, status: outcome === 'retry' ? 'failed' : outcome, attempt });
    return outcome;
  }

  /** The deliveries still to send, with their endpoint, in one transaction; undefined for those delivered, dead or gone. */
  private async load(owner: WebhookOwner, ids: string[]): Promise<(Target | undefined)[]> {
    const rows =
      (await this.units.asSystem(owner, (uow) =>
        uow.query<Target[]>(
          `SELECT d.id, d.webhook_id, d.event_id, d.body, d.status, w.url, w.enabled, w.secrets,
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
      await uow.query(
        `UPDATE webhook_deliveries d SET status = r.status, attempts = CASE WHEN r.attempt IS NULL THEN d.attempts ELSE d.attempts || jsonb_build_array(r.attempt) END,
                updated_at = now()
           FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, status text, attempt jsonb)
          WHERE d.id = r.id`,
        [JSON.stringify(outcomes.map((o) => ({ id: o.id, status: o.status, attempt: o.attempt ?? null })))],
      );
      const answered = [...new Set(outcomes.filter((o) => o.status === 'delivered').map((o) => o.webhook_id))];
      if (answered.length) await uow.query(`UPDATE webhooks SET failing_since = NULL WHERE id = ANY($1::uuid[]) AND failing_since IS NOT NULL`, [answered]);
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
