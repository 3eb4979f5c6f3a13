import { Injectable } from '@nestjs/common';
import { DomainError } from '@credence/errors';
import { getWebhook } from '../subscriptions/webhook-row';
import { WebhookQueue } from './webhook-queue';
import { WebhookOwner, WebhookUnits } from '../scope/webhook-units';

/** Most deliveries one bulk redelivery queues. */
export const BULK_REDELIVER_MAX = 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Sends a delivery again (same body, same webhook-id, new signature and timestamp) with a fresh
 * retry schedule; its earlier attempts stay in its history.
 */
@Injectable()
export class Redeliver {
  constructor(
    private readonly units: WebhookUnits,
    private readonly queue: WebhookQueue,
  ) {}

  async one(tenantId: WebhookOwner, webhookId: string, deliveryId: string): Promise<{ delivery_id: string; status: 'pending' }> {
    if (!UUID.test(deliveryId)) throw new DomainError('webhook.delivery_not_found');
    await this.units.run(tenantId, async (uow) => {
      await getWebhook(uow, webhookId);
      const rows = await uow.query<unknown[]>(`UPDATE webhook_deliveries SET status = 'pending', updated_at = now() WHERE id = $1 AND webhook_id = $2 RETURNING id`, [
        deliveryId.toLowerCase(),
        webhookId.toLowerCase(),
      ]);
      if (!rows.length) throw new DomainError('webhook.delivery_not_found');
    });
    await this.queue.enqueue(tenantId, [deliveryId.toLowerCase()], `-r${Date.now()}`);
    return { delivery_id: deliveryId.toLowerCase(), status: 'pending' };
  }

  /** Every failed or dead delivery of the webhook created since `since`, oldest first, up to BULK_REDELIVER_MAX. */
  async failedSince(tenantId: WebhookOwner, webhookId: string, since: Date): Promise<{ queued: number }> {
    const ids = await this.units.run(tenantId, async (uow) => {
      await getWebhook(uow, webhookId);
      const rows = await uow.query<{ id: string }[]>(
        `UPDATE webhook_deliveries SET status = 'pending', updated_at = now()
          WHERE id IN (SELECT id FROM webhook_deliveries WHERE webhook_id = $1 AND status IN ('failed', 'dead') AND created_at >= $2 ORDER BY id LIMIT $3)
          RETURNING id`,
        [webhookId.toLowerCase(), since, BULK_REDELIVER_MAX],
      );
      return rows.map((r) => r.id).sort();
    });
    await this.queue.enqueue(tenantId, ids, `-r${Date.now()}`);
    return { queued: ids.length };
  }
}
