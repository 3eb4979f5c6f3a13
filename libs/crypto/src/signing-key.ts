import { createHash, generateKeyPair, JsonWebKey } from 'node:crypto';
import { promisify } from 'node:util';
import { KeyEncryption } from './key-encryption';

const generate = promisify(generateKeyPair);

export interface NewSigningKey {
  kid: string;
  alg: 'ES256';
  publicJwk: JsonWebKey;
  privateKeyEnc: Buffer;
  kekId: string;
}

/** RFC 7638 thumbprint of an EC public key: stable, derived from the key itself. */
export function ecThumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** A fresh ES256 key pair; the private half leaves this function only encrypted. */
export async function newSigningKey(encryption: KeyEncryption, tenantId: string): Promise<NewSigningKey> {
  const { publicKey, privateKey } = await generate('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = ecThumbprint(jwk);
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    kid,
    alg: 'ES256',
    publicJwk: { ...jwk, kid, alg: 'ES256', use: 'sig' },
    privateKeyEnc: encryption.encrypt(der, `${tenantId}:${kid}`),
    kekId: encryption.kekId,
  };
}
