import { Injectable } from '@nestjs/common';
import { Page, pageOf } from '@credence/http';
import { getWebhook, toWebhookResponse, WEBHOOK_COLUMNS, WebhookResponse, WebhookRow } from '../webhook-row';
import { WebhookOwner, WebhookUnits } from '../../scope/webhook-units';

/** Oldest first (ids are UUIDv7); secrets are never read. */
@Injectable()
export class ReadWebhooks {
  constructor(private readonly units: WebhookUnits) {}

  async list(tenantId: WebhookOwner, limit: number, after: string | null): Promise<Page<WebhookResponse>> {
    const rows = await this.units.run(tenantId, (uow) =>
      uow.query<WebhookRow[]>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2`, [after, limit + 1]),
    );
    return pageOf(rows, limit, (r) => toWebhookResponse(r));
  }

  async get(tenantId: WebhookOwner, id: string): Promise<WebhookResponse> {
    return toWebhookResponse(await this.units.run(tenantId, (uow) => getWebhook(uow, id)));
  }
}
