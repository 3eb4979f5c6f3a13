import { Injectable } from '@nestjs/common';
import { subjects } from '@credence/contracts';
import { WebhookHttp } from '../../outbound/webhook-http';
import type { UpdateWebhookDto } from '../dto/update-webhook.dto';
import { getWebhook, toWebhookResponse, webhookEventData, WebhookResponse, WebhookRow } from '../webhook-row';
import { WebhookOwner, WebhookUnits } from '../../scope/webhook-units';

/** Replaces what is given; a new URL passes the SSRF guard first. Enabling clears the failure streak and the reason. */
@Injectable()
export class UpdateWebhook {
  constructor(
    private readonly units: WebhookUnits,
    private readonly http: WebhookHttp,
  ) {}

  async execute(tenantId: WebhookOwner, id: string, input: UpdateWebhookDto): Promise<WebhookResponse> {
    if (input.url !== undefined) {
      // An unknown webhook answers 404 before the URL costs a DNS lookup.
      await this.units.run(tenantId, (uow) => getWebhook(uow, id));
      await this.http.vet(input.url);
    }
    const row = await this.units.run(tenantId, async (uow) => {
      const before = await getWebhook(uow, id, true);
      const next: WebhookRow = {
        ...before,
        url: input.url ?? before.url,
        description: input.description ?? before.description,
        event_types: input.event_types ?? before.event_types,
        exclude_fields: input.fields?.exclude ?? (input.fields ? [] : before.exclude_fields),
        include_fields: input.fields?.include ?? (input.fields ? [] : before.include_fields),
        ordered: input.ordered ?? before.ordered,
        enabled: input.enabled ?? before.enabled,
      };
      const changed = (['url', 'description', 'event_types', 'exclude_fields', 'include_fields', 'ordered', 'enabled'] as const).filter(
        (k) => JSON.stringify(next[k]) !== JSON.stringify(before[k]),
      );
      if (!changed.length) return before;
      const reenabled = next.enabled && !before.enabled;
      await uow.query(
        `UPDATE webhooks SET url = $2, description = $3, event_types = $4, exclude_fields = $5, include_fields = $6, ordered = $7, enabled = $8,
                disabled_reason = CASE WHEN $9 THEN NULL ELSE disabled_reason END, failing_since = CASE WHEN $9 THEN NULL ELSE failing_since END,
                updated_at = now()
          WHERE id = $1`,
        [before.id, next.url, next.description, next.event_types, next.exclude_fields, next.include_fields, next.ordered, next.enabled, reenabled],
      );
      const after = await getWebhook(uow, before.id);
      uow.emit('webhook.updated', subjects.webhook(after.id), { ...webhookEventData(after), changed: changed.map((c) => c.replace(/_fields$/, '')) });
      return after;
    });
    return toWebhookResponse(row);
  }
}
