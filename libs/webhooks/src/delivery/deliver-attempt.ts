import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { subjects } from '@credence/contracts';
import { KeyEncryption } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { WebhookHttp, WebhookResponse } from '../outbound/webhook-http';
import { signatureHeader } from '../signing/signature';
import { openSecrets, signingSecrets } from '../signing/webhook-secrets';

export interface Attempt {
  at: string;
  duration_ms: number;
  response_status: number | null;
  response_excerpt: string | null;
  error?: string;
}

/** What the job should do next. */
export type AttemptOutcome = 'delivered' | 'retry' | 'dead' | 'skipped' | 'wait';

/** Deliveries to one endpoint at once per process. */
export const PER_ENDPOINT = 4;

interface Target {
  id: string;
  webhook_id: string;
  event_id: string;
  aggregate: string;
  body: string;
  status: string;
  url: string;
  enabled: boolean;
  ordered: boolean;
  secrets: Buffer;
}

/**
 * One attempt of one delivery, in the tenant in context: checks the order (an earlier delivery of the
 * same aggregate to the same endpoint still open means wait), signs with every live secret, posts
 * through the SSRF guard (DNS checked again now), and records the attempt, the delivery's status and
 * the endpoint's failure streak; a streak past WEBHOOK_DISABLE_AFTER_SECONDS disables the endpoint.
 */
@Injectable()
export class DeliverAttempt {
  private readonly log = new Logger('WebhookDelivery');
  /** Attempts in flight per endpoint in this process: a slow endpoint holds at most PER_ENDPOINT of the worker's slots. */
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly kek: KeyEncryption,
    private readonly http: WebhookHttp,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(tenantId: string, deliveryId: string, last: boolean): Promise<AttemptOutcome> {
    const target = await this.runner.inTenant(async (uow) => {
      const [row] = await uow.query<Target[]>(
        `SELECT d.id, d.webhook_id, d.event_id, d.aggregate, d.body, d.status, w.url, w.enabled, w.ordered, w.secrets
           FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1`,
        [deliveryId],
      );
      if (!row || row.status === 'delivered' || row.status === 'dead') return undefined;
      if (!row.enabled) {
        // Not sent while the endpoint is disabled; left failed, so redeliver-failed picks it up after re-enabling.
        await uow.query(`UPDATE webhook_deliveries SET status = 'failed', updated_at = now() WHERE id = $1`, [row.id]);
        return undefined;
      }
      if (row.ordered) {
        const [earlier] = await uow.query<unknown[]>(
          `SELECT 1 FROM webhook_deliveries WHERE webhook_id = $1 AND aggregate = $2 AND id < $3 AND status IN ('pending', 'failed') LIMIT 1`,
          [row.webhook_id, row.aggregate, row.id],
        );
        if (earlier) return 'wait' as const;
      }
      return row;
    });
    if (!target) return 'skipped';
    if (target === 'wait') return 'wait';
    const busy = this.inFlight.get(target.webhook_id) ?? 0;
    if (busy >= PER_ENDPOINT) return 'wait';
    this.inFlight.set(target.webhook_id, busy + 1);
    try {
      return await this.attempt(tenantId, target, last);
    } finally {
      const left = (this.inFlight.get(target.webhook_id) ?? 1) - 1;
      if (left > 0) this.inFlight.set(target.webhook_id, left);
      else this.inFlight.delete(target.webhook_id);
    }
  }

  private async attempt(tenantId: string, target: Target, last: boolean): Promise<AttemptOutcome> {
    const secrets = signingSecrets(openSecrets(this.kek, tenantId, target.webhook_id, target.secrets));
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
    const attempt: Attempt = {
      at: new Date(started).toISOString(),
      duration_ms: Date.now() - started,
      response_status: response?.status ?? null,
      response_excerpt: response?.excerpt ?? null,
      ...(error ? { error } : {}),
    };
    const outcome: AttemptOutcome = !error ? 'delivered' : last ? 'dead' : 'retry';
    await this.record(target, attempt, outcome);
    return outcome;
  }

  private async record(target: Target, attempt: Attempt, outcome: AttemptOutcome): Promise<void> {
    const status = outcome === 'delivered' ? 'delivered' : outcome === 'dead' ? 'dead' : 'failed';
    await this.runner.inTenant(async (uow) => {
      await uow.query(`UPDATE webhook_deliveries SET status = $2, attempts = attempts || $3::jsonb, updated_at = now() WHERE id = $1`, [
        target.id,
        status,
        JSON.stringify([attempt]),
      ]);
      if (outcome === 'delivered') {
        await uow.query(`UPDATE webhooks SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`, [target.webhook_id]);
        return;
      }
      const [w] = await uow.query<{ failing_since: Date; enabled: boolean; url: string; event_types: string[] }[]>(
        `UPDATE webhooks SET failing_since = COALESCE(failing_since, $2::timestamptz) WHERE id = $1 RETURNING failing_since, enabled, url, event_types`,
        [target.webhook_id, attempt.at],
      );
      if (!w || !w.enabled || Date.now() - w.failing_since.getTime() < this.config.WEBHOOK_DISABLE_AFTER_SECONDS * 1000) return;
      const reason = `every delivery failed since ${w.failing_since.toISOString()}; last: ${attempt.error}`.slice(0, 2000);
      await uow.query(`UPDATE webhooks SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1`, [target.webhook_id, reason]);
      uow.emit('webhook.disabled', subjects.webhook(target.webhook_id), { webhook_id: target.webhook_id, url: w.url, reason, failing_since: w.failing_since.toISOString() });
      this.log.warn({ webhook_id: target.webhook_id }, 'webhook disabled after failing too long');
    });
  }
}
