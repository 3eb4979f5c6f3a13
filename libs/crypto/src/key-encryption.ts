import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM envelope for private keys at rest: iv (12) | tag (16) | ciphertext.
 * The key id (hash of the KEK) is stored beside it so a KEK rotation can tell old from new.
 */
export class KeyEncryption {
  private readonly kek: Buffer;
  readonly kekId: string;

  constructor(base64Key: string) {
    this.kek = Buffer.from(base64Key, 'base64');
    if (this.kek.length !== 32) throw new Error('key-encryption key must be 32 bytes');
    this.kekId = createHash('sha256').update(this.kek).digest('hex').slice(0, 16);
  }

  encrypt(plain: Buffer, associated: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.kek, iv, { authTagLength: 16 });
    cipher.setAAD(Buffer.from(associated));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  decrypt(sealed: Buffer, associated: string): Buffer {
    if (sealed.length < 28) throw new Error('sealed key is too short');
    const decipher = createDecipheriv('aes-256-gcm', this.kek, sealed.subarray(0, 12), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(associated));
    decipher.setAuthTag(sealed.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
    } catch {
      // GCM says only "unable to authenticate data": say what that means for whoever reads the log.
      throw new Error(
        `a sealed secret cannot be opened with this CREDENCE_KEY_ENCRYPTION_KEY (key id ${this.kekId}): it was sealed with another key, for another owner, or it is damaged`,
      );
    }
  }
}
