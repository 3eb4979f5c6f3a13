import { Injectable } from '@nestjs/common';
import { Page, pageOf } from '@credence/http';
import { getWebhook } from '../subscriptions/webhook-row';
import type { Attempt } from './deliver-attempt';
import { WebhookOwner, WebhookUnits } from '../scope/webhook-units';

export interface DeliveryResponse {
  id: string;
  event_id: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'failed' | 'dead';
  attempts: Attempt[];
  created_at: string;
  updated_at: string;
}

interface Row {
  id: string;
  event_id: string;
  event_type: string;
  status: DeliveryResponse['status'];
  attempts: Attempt[];
  created_at: Date;
  updated_at: Date;
}

/** A webhook's deliveries, newest first, each with every attempt. */
@Injectable()
export class ListDeliveries {
  constructor(private readonly units: WebhookUnits) {}

  async execute(tenantId: WebhookOwner, webhookId: string, limit: number, before: string | null, status?: string): Promise<Page<DeliveryResponse>> {
    const rows = await this.units.run(tenantId, async (uow) => {
      await getWebhook(uow, webhookId);
      return uow.query<Row[]>(
        `SELECT id, event_id, event_type, status, attempts, created_at, updated_at FROM webhook_deliveries
          WHERE webhook_id = $1 AND ($2::uuid IS NULL OR id < $2) AND ($3::text IS NULL OR status = $3) ORDER BY id DESC LIMIT $4`,
        [webhookId.toLowerCase(), before, status ?? null, limit + 1],
      );
    });
    return pageOf(rows, limit, (r) => ({ ...r, created_at: r.created_at.toISOString(), updated_at: r.updated_at.toISOString() }));
  }
}
