import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { RequestContext } from '@credence/context';
import { subjects } from '@credence/contracts';
import { KeyEncryption } from '@credence/crypto';
import { WebhookHttp } from '../../outbound/webhook-http';
import { newWebhookSecret, sealSecrets } from '../../signing/webhook-secrets';
import type { CreateWebhookDto } from '../dto/create-webhook.dto';
import { getWebhook, toWebhookResponse, webhookEventData, WebhookResponse } from '../webhook-row';
import { WebhookOwner, WebhookUnits } from '../../scope/webhook-units';

/** Vets the URL (SSRF guard), makes the secret, seals it, and writes the subscription with its event. The secret is shown this once. */
@Injectable()
export class CreateWebhook {
  constructor(
    private readonly units: WebhookUnits,
    private readonly context: RequestContext,
    private readonly kek: KeyEncryption,
    private readonly http: WebhookHttp,
  ) {}

  async execute(tenantId: WebhookOwner, input: CreateWebhookDto): Promise<WebhookResponse> {
    await this.http.vet(input.url);
    const id = uuidv7();
    const secret = newWebhookSecret();
    const sealed = sealSecrets(this.kek, tenantId, id, { current: secret });
    const row = await this.units.run(tenantId, async (uow) => {
      await uow.query(
        `INSERT INTO webhooks (id, url, description, event_types, exclude_fields, include_fields, ordered, enabled, secrets, secrets_kek_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          id,
          input.url,
          input.description ?? '',
          input.event_types,
          input.fields?.exclude ?? [],
          input.fields?.include ?? [],
          input.ordered ?? true,
          input.enabled ?? true,
          sealed.sealed,
          sealed.kekId,
          this.context.principal,
        ],
      );
      const created = await getWebhook(uow, id);
      uow.emit('webhook.created', subjects.webhook(id), webhookEventData(created));
      return created;
    });
    return toWebhookResponse(row, secret);
  }
}
