import { Injectable } from '@nestjs/common';
import { Page, pageOf } from '@credence/http';
import { TenantTransactionRunner } from '@credence/tenancy';
import { getWebhook, toWebhookResponse, WEBHOOK_COLUMNS, WebhookResponse, WebhookRow } from '../webhook-row';

/** Oldest first (ids are UUIDv7); secrets are never read. */
@Injectable()
export class ReadWebhooks {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async list(tenantId: string, limit: number, after: string | null): Promise<Page<WebhookResponse>> {
    this.runner.assertAmbientTenant(tenantId);
    const rows = await this.runner.inTenant((uow) =>
      uow.query<WebhookRow[]>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2`, [after, limit + 1]),
    );
    return pageOf(rows, limit, (r) => toWebhookResponse(r));
  }

  async get(tenantId: string, id: string): Promise<WebhookResponse> {
    this.runner.assertAmbientTenant(tenantId);
    return toWebhookResponse(await this.runner.inTenant((uow) => getWebhook(uow, id)));
  }
}
