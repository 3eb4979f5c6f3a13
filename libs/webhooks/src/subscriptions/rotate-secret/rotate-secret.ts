import { Injectable } from '@nestjs/common';
import { subjects } from '@credence/contracts';
import { KeyEncryption } from '@credence/crypto';
import { newWebhookSecret, openSecrets, ROTATION_OVERLAP_MS, sealSecrets } from '../../signing/webhook-secrets';
import { getWebhook, toWebhookResponse, WebhookResponse } from '../webhook-row';
import { WebhookOwner, WebhookUnits } from '../../scope/webhook-units';

/** A new secret, shown once; the current one keeps signing beside it for ROTATION_OVERLAP_MS (both signatures sent). */
@Injectable()
export class RotateWebhookSecret {
  constructor(
    private readonly units: WebhookUnits,
    private readonly kek: KeyEncryption,
  ) {}

  async execute(tenantId: WebhookOwner, id: string): Promise<WebhookResponse> {
    const secret = newWebhookSecret();
    const row = await this.units.run(tenantId, async (uow) => {
      const before = await getWebhook(uow, id, true);
      const [{ secrets }] = await uow.query<{ secrets: Buffer }[]>(`SELECT secrets FROM webhooks WHERE id = $1`, [before.id]);
      const old = openSecrets(this.kek, tenantId, before.id, secrets);
      const previousExpiresAt = new Date(Date.now() + ROTATION_OVERLAP_MS).toISOString();
      const sealed = sealSecrets(this.kek, tenantId, before.id, { current: secret, previous: old.current, previous_expires_at: previousExpiresAt });
      await uow.query(`UPDATE webhooks SET secrets = $2, secrets_kek_id = $3, updated_at = now() WHERE id = $1`, [before.id, sealed.sealed, sealed.kekId]);
      uow.emit('webhook.secret_rotated', subjects.webhook(before.id), { webhook_id: before.id, previous_expires_at: previousExpiresAt });
      return getWebhook(uow, before.id);
    });
    return toWebhookResponse(row, secret);
  }
}
