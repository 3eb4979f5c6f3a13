import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { CredenceCloudEvent } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { getWebhook } from '../subscriptions/webhook-row';
import { recordDeliveries } from './record-deliveries';
import { WebhookQueue } from './webhook-queue';
import { WebhookOwner, WebhookUnits } from '../scope/webhook-units';

/** Queues a `webhook.test` event to one endpoint, through the same delivery path (signed, retried, recorded). */
@Injectable()
export class SendTestEvent {
  constructor(
    private readonly units: WebhookUnits,
    private readonly queue: WebhookQueue,
  ) {}

  async execute(tenantId: WebhookOwner, id: string): Promise<{ delivery_id: string; event_id: string }> {
    const eventId = uuidv7();
    const [target] = await this.units.run(tenantId, async (uow) => {
      const w = await getWebhook(uow, id);
      if (!w.enabled) throw new DomainError('webhook.disabled');
      const event = {
        id: eventId,
        specversion: '1.0',
        source: 'credence/webhooks',
        type: 'webhook.test',
        time: new Date().toISOString(),
        subject: `webhook/${w.id}`,
        datacontenttype: 'application/json',
        tenantid: tenantId,
        data: { webhook_id: w.id },
      } as unknown as CredenceCloudEvent;
      return recordDeliveries(uow, [{ event, subs: [{ id: w.id, event_types: ['webhook.test'], exclude_fields: w.exclude_fields, include_fields: w.include_fields }] }]);
    });
    await this.queue.enqueue(tenantId, [target.id]);
    return { delivery_id: target.id, event_id: eventId };
  }
}
