import { randomBytes } from 'node:crypto';
import { KeyEncryption } from '@credence/crypto';

/** How long a rotated-out secret keeps signing beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

/** What is sealed in `webhooks.secrets`: the current secret and, for a day after a rotation, the previous one. */
export interface WebhookSecrets {
  current: string;
  previous?: string;
  previous_expires_at?: string;
}

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64 (the HMAC key is the decoded bytes). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The secrets that sign now: the current one, and the previous one while its overlap lasts. */
export function signingSecrets(s: WebhookSecrets, now = Date.now()): string[] {
  const live = s.previous && s.previous_expires_at && Date.parse(s.previous_expires_at) > now;
  return live ? [s.current, s.previous!] : [s.current];
}

/** Sealed with the key-encryption key, bound to the tenant and the webhook (a row copied elsewhere does not open). */
export function sealSecrets(kek: KeyEncryption, owner: string, id: string, secrets: WebhookSecrets): { sealed: Buffer; kekId: string } {
  return { sealed: kek.encrypt(Buffer.from(JSON.stringify(secrets)), associatedData(owner, id)), kekId: kek.kekId };
}

export function openSecrets(kek: KeyEncryption, owner: string, id: string, sealed: Buffer): WebhookSecrets {
  return JSON.parse(kek.decrypt(sealed, associatedData(owner, id)).toString('utf8')) as WebhookSecrets;
}

const associatedData = (owner: string, id: string) => `credence:webhook:${owner}:${id}`;
