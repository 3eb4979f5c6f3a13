import { createHash, randomBytes } from 'node:crypto';
import { KeyEncryption } from './key-encryption';

const kekA = Buffer.alloc(32, 1).toString('base64');
const kekB = Buffer.alloc(32, 2).toString('base64');

describe('KeyEncryption (AES-256-GCM)', () => {
  const enc = new KeyEncryption(kekA);
  const plain = Buffer.from('-----BEGIN PRIVATE KEY----- not really, but secret enough');
  const aad = 'tenant-1:kid-1';

  it('round-trips', () => {
    expect(enc.decrypt(enc.encrypt(plain, aad), aad).equals(plain)).toBe(true);
    const big = randomBytes(64 * 1024);
    expect(enc.decrypt(enc.encrypt(big, aad), aad).equals(big)).toBe(true);
    expect(enc.decrypt(enc.encrypt(Buffer.alloc(0), aad), aad)).toHaveLength(0);
  });

  it('round-trips through a second instance with the same key', () => {
    expect(new KeyEncryption(kekA).decrypt(enc.encrypt(plain, aad), aad).equals(plain)).toBe(true);
  });

  it('lays out iv (12) | tag (16) | ciphertext, never the plaintext', () => {
    const sealed = enc.encrypt(plain, aad);
    expect(sealed).toHaveLength(12 + 16 + plain.length);
    expect(sealed.includes(plain)).toBe(false);
    expect(sealed.includes(plain.subarray(0, 16))).toBe(false);
  });

  it('uses a fresh iv each time', () => {
    const a = enc.encrypt(plain, aad);
    const b = enc.encrypt(plain, aad);
    expect(a.subarray(0, 12).equals(b.subarray(0, 12))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it.each([
    ['a flipped ciphertext bit', (s: Buffer) => (s[s.length - 1] ^= 0x01)],
    ['a flipped tag bit', (s: Buffer) => (s[12] ^= 0x80)],
    ['a flipped iv bit', (s: Buffer) => (s[0] ^= 0x01)],
  ])('refuses %s', (_, tamper) => {
    const sealed = Buffer.from(enc.encrypt(plain, aad));
    tamper(sealed);
    expect(() => enc.decrypt(sealed, aad)).toThrow();
  });

  it('refuses a truncated or extended ciphertext', () => {
    const sealed = enc.encrypt(plain, aad);
    expect(() => enc.decrypt(sealed.subarray(0, sealed.length - 1), aad)).toThrow();
    expect(() => enc.decrypt(Buffer.concat([sealed, Buffer.from([0])]), aad)).toThrow();
    expect(() => enc.decrypt(sealed.subarray(0, 28), aad)).toThrow();
    expect(() => enc.decrypt(sealed.subarray(0, 20), aad)).toThrow();
  });

  it('refuses the wrong associated data (a key moved to another tenant or kid)', () => {
    const sealed = enc.encrypt(plain, aad);
    expect(() => enc.decrypt(sealed, 'tenant-2:kid-1')).toThrow();
    expect(() => enc.decrypt(sealed, 'tenant-1:kid-2')).toThrow();
    expect(() => enc.decrypt(sealed, '')).toThrow();
  });

  it('refuses another key-encryption key, naming its own key id in the error', () => {
    const sealed = enc.encrypt(plain, aad);
    const other = new KeyEncryption(kekB);
    expect(() => other.decrypt(sealed, aad)).toThrow(`cannot be opened with this CREDENCE_KEY_ENCRYPTION_KEY (key id ${other.kekId})`);
  });

  it('names the KEK by a hash prefix, stable and different per key, and not the key itself', () => {
    const raw = Buffer.from(kekA, 'base64');
    expect(enc.kekId).toBe(createHash('sha256').update(raw).digest('hex').slice(0, 16));
    expect(new KeyEncryption(kekA).kekId).toBe(enc.kekId);
    expect(new KeyEncryption(kekB).kekId).not.toBe(enc.kekId);
    expect(enc.kekId).not.toContain(raw.toString('hex').slice(0, 8));
  });

  it.each([
    ['16 bytes', Buffer.alloc(16, 1).toString('base64')],
    ['33 bytes', Buffer.alloc(33, 1).toString('base64')],
    ['empty', ''],
  ])('refuses a KEK of %s', (_, key) => {
    expect(() => new KeyEncryption(key)).toThrow('32 bytes');
  });
});
