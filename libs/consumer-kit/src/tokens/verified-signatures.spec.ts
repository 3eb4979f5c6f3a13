import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { VerifiedSignatures } from './verified-signatures';

describe('VerifiedSignatures', () => {
  it('holds a token only for the very key object it was verified with', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const equal = createPublicKey({ key: publicKey.export({ format: 'jwk' }), format: 'jwk' });
    const seen = new VerifiedSignatures(4);
    seen.remember('a.b.c', publicKey);
    expect([seen.holds('a.b.c', publicKey), seen.holds('a.b.c', equal), seen.holds('a.b.d', publicKey)]).toEqual([true, false, false]);
  });

  it('keeps at most its bound, dropping the oldest first', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const seen = new VerifiedSignatures(3);
    for (const t of ['t1', 't2', 't3', 't3', 't4']) seen.remember(t, publicKey);
    expect(seen.size).toBe(3);
    expect(['t1', 't2', 't3', 't4'].map((t) => seen.holds(t, publicKey))).toEqual([false, true, true, true]);
  });
});
