import { randomBytes } from 'node:crypto';
import { newSecretToken, sha256 } from '@credence/crypto';

/** What newClientId() makes, and so the only client ids that can name an application. */
export const CLIENT_ID_PATTERN = /^cac_[A-Za-z0-9_-]{22}$/;

/** Public: 128 random bits, so client ids cannot be enumerated. */
export function newClientId(): string {
  return `cac_${randomBytes(16).toString('base64url')}`;
}

/**
 * A 256-bit secret, shown once, and what is stored of it: its SHA-256, as for service credentials
 * (the entropy makes a slow hash pointless).
 */
export function newClientSecret(): { secret: string; hash: Buffer } {
  const secret = newSecretToken('cas_');
  return { secret, hash: sha256(secret) };
}
