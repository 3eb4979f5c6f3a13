import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { CredenceCloudEvent } from '@credence/contracts';
import { RequestContext } from '@credence/context';
import { TenantRegistry, TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { deliveryBody, matchesType } from './event-filter';
import { WebhookQueue } from './webhook-queue';

interface Subscription {
  id: string;
  event_types: string[];
  exclude_fields: string[];
  include_fields: string[];
}

export const WEBHOOK_ACTOR = 'system:webhooks';

/**
 * One event → one delivery row per matching enabled subscription of its tenant, then one queued job
 * each. Rows are unique per (webhook, event): an event the transport delivers twice (a crash before
 * the ack) queues the same deliveries again, which the job ids make a no-op.
 */
@Injectable()
export class WebhookFanOut {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    private readonly registry: TenantRegistry,
    private readonly queue: WebhookQueue,
  ) {}

  async fanOut(event: CredenceCloudEvent): Promise<number> {
    const tenant = typeof event.tenantid === 'string' ? await this.registry.byId(event.tenantid) : null;
    if (!tenant) return 0; // platform events and tenants that are gone
    const pending = await this.context.runWith({ tenant, principal: WEBHOOK_ACTOR }, () =>
      this.runner.inTenant(async (uow) => {
        const subs = await uow.query<Subscription[]>(`SELECT id, event_types, exclude_fields, include_fields FROM webhooks WHERE enabled`);
        return record(
          uow,
          event,
          subs.filter((s) => matchesType(s.event_types, event.type)),
        );
      }),
    );
    await this.queue.enqueue(tenant.id, pending);
    return pending.length;
  }
}

/** Writes the delivery rows (the body each subscription receives, fixed now) and returns the ids still pending. */
export async function record(uow: UnitOfWork, event: CredenceCloudEvent, subs: Subscription[]): Promise<string[]> {
  if (!subs.length) return [];
  const rows = subs.map((s) => [uuidv7(), s.id, deliveryBody(event, s.exclude_fields, s.include_fields)]);
  const found = await uow.query<{ id: string; status: string }[]>(
    `INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, aggregate, body)
     SELECT r.id, r.webhook_id, $1, $2, $3, r.body FROM jsonb_to_recordset($4::jsonb) AS r(id uuid, webhook_id uuid, body text)
     ON CONFLICT (webhook_id, event_id) DO UPDATE SET updated_at = webhook_deliveries.updated_at
     RETURNING id, status`,
    [event.id, event.type, String(event.subject ?? ''), JSON.stringify(rows.map(([id, webhook_id, body]) => ({ id, webhook_id, body })))],
  );
  return found.filter((r) => r.status === 'pending').map((r) => r.id);
}
