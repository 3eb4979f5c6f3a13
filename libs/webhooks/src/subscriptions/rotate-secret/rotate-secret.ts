import { Injectable, Logger } from '@nestjs/common';
import { subjects } from '@credence/contracts';
import { KeyEncryption } from '@credence/crypto';
import { newWebhookSecret, openSecrets, ROTATION_OVERLAP_MS, sealSecrets, WebhookSecrets } from '../../signing/webhook-secrets';
import { getWebhook, toWebhookResponse, WebhookResponse } from '../webhook-row';
import { WebhookOwner, WebhookUnits } from '../../scope/webhook-units';

/**
 * A new secret, shown once; the current one keeps signing beside it for ROTATION_OVERLAP_MS (both
 * signatures sent). A current secret this process cannot open (sealed under another key-encryption
 * key) is replaced with no overlap: that is how such a webhook is recovered, as nothing here can sign with it.
 */
@Injectable()
export class RotateWebhookSecret {
  private readonly logger = new Logger('RotateWebhookSecret');

  constructor(
    private readonly units: WebhookUnits,
    private readonly kek: KeyEncryption,
  ) {}

  async execute(tenantId: WebhookOwner, id: string): Promise<WebhookResponse> {
    const secret = newWebhookSecret();
    const row = await this.units.run(tenantId, async (uow) => {
      const before = await getWebhook(uow, id, true);
      const [{ secrets }] = await uow.query<{ secrets: Buffer }[]>(`SELECT secrets FROM webhooks WHERE id = $1`, [before.id]);
      const old = this.openCurrent(tenantId, before.id, secrets);
      const previousExpiresAt = old ? new Date(Date.now() + ROTATION_OVERLAP_MS).toISOString() : new Date().toISOString();
      const next = old ? { current: secret, previous: old.current, previous_expires_at: previousExpiresAt } : { current: secret };
      const sealed = sealSecrets(this.kek, tenantId, before.id, next);
      await uow.query(`UPDATE webhooks SET secrets = $2, secrets_kek_id = $3, updated_at = now() WHERE id = $1`, [before.id, sealed.sealed, sealed.kekId]);
      uow.emit('webhook.secret_rotated', subjects.webhook(before.id), { webhook_id: before.id, previous_expires_at: previousExpiresAt });
      return getWebhook(uow, before.id);
    });
    return toWebhookResponse(row, secret);
  }

  private openCurrent(tenantId: WebhookOwner, id: string, sealed: Buffer): WebhookSecrets | undefined {
    try {
      return openSecrets(this.kek, tenantId, id, sealed);
    } catch (err) {
      this.logger.warn(`webhook ${id}: ${(err as Error).message}; the new secret replaces it with no overlap`);
      return undefined;
    }
  }
}
