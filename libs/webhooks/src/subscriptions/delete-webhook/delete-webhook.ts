import { Injectable } from '@nestjs/common';
import { subjects } from '@credence/contracts';
import { getWebhook, webhookEventData } from '../webhook-row';
import { WebhookOwner, WebhookUnits } from '../../scope/webhook-units';

/** Deletes the subscription and its delivery history; queued retries find nothing and stop. */
@Injectable()
export class DeleteWebhook {
  constructor(private readonly units: WebhookUnits) {}

  async execute(tenantId: WebhookOwner, id: string): Promise<void> {
    await this.units.run(tenantId, async (uow) => {
      const row = await getWebhook(uow, id, true);
      await uow.query(`DELETE FROM webhooks WHERE id = $1`, [row.id]);
      uow.emit('webhook.deleted', subjects.webhook(row.id), webhookEventData(row));
    });
  }
}
