import { Injectable } from '@nestjs/common';
import { subjects } from '@credence/contracts';
import { TenantTransactionRunner } from '@credence/tenancy';
import { getWebhook, webhookEventData } from '../webhook-row';

/** Deletes the subscription and its delivery history; queued retries find nothing and stop. */
@Injectable()
export class DeleteWebhook {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async execute(tenantId: string, id: string): Promise<void> {
    this.runner.assertAmbientTenant(tenantId);
    await this.runner.inTenant(async (uow) => {
      const row = await getWebhook(uow, id, true);
      await uow.query(`DELETE FROM webhooks WHERE id = $1`, [row.id]);
      uow.emit('webhook.deleted', subjects.webhook(row.id), webhookEventData(row));
    });
  }
}
