import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { KeyEncryption } from './key-encryption';
import { ecThumbprint, newSigningKey } from './signing-key';

const encryption = new KeyEncryption(Buffer.alloc(32, 5).toString('base64'));
const TENANT = '01a21428-2d69-7345-a41f-e66e7b5812e0';

/** RFC 7638 §3.2: the required members in lexicographic order, no whitespace, SHA-256, base64url. */
function rfc7638(jwk: { crv?: string; kty?: string; x?: string; y?: string }): string {
  const json = `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}","y":"${jwk.y}"}`;
  return createHash('sha256').update(json).digest('base64url');
}

describe('ecThumbprint', () => {
  it('matches the RFC 7638 construction, ignoring members outside the required set and their order', () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const shuffled = { y: jwk.y, x: jwk.x, kid: 'anything', use: 'sig', alg: 'ES256', kty: jwk.kty, crv: jwk.crv };
    expect(ecThumbprint(jwk)).toBe(rfc7638(jwk));
    expect(ecThumbprint(shuffled)).toBe(rfc7638(jwk));
    expect(ecThumbprint(jwk)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('gives the thumbprint of a known key', () => {
    // Key from RFC 7517 appendix A.1; its thumbprint recomputed per RFC 7638 independently of the code under test.
    const jwk = { kty: 'EC', crv: 'P-256', x: 'MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4', y: '4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM' };
    const expected = createHash('sha256')
      .update('{"crv":"P-256","kty":"EC","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}')
      .digest('base64url');
    expect(ecThumbprint(jwk)).toBe(expected);
  });
});

describe('newSigningKey', () => {
  let key: Awaited<ReturnType<typeof newSigningKey>>;
  beforeAll(async () => {
    key = await newSigningKey(encryption, TENANT);
  });

  it('is ES256 on P-256, with the kid its RFC 7638 thumbprint', () => {
    expect(key.alg).toBe('ES256');
    expect(key.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: key.kid, alg: 'ES256', use: 'sig' });
    expect(key.kid).toBe(rfc7638(key.publicJwk as never));
  });

  it('publishes no private part', () => {
    expect(key.publicJwk).not.toHaveProperty('d');
    expect(Object.keys(key.publicJwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });

  it('keeps the private key only encrypted, tagged with the KEK id', () => {
    expect(key.kekId).toBe(encryption.kekId);
    expect(key.privateKeyEnc.includes(Buffer.from('PRIVATE KEY'))).toBe(false);
    expect(JSON.stringify(key)).not.toMatch(/"d":/);
  });

  it('decrypts (with tenant and kid as associated data) to a private key whose signatures the public JWK verifies', () => {
    const der = encryption.decrypt(key.privateKeyEnc, `${TENANT}:${key.kid}`);
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    expect(privateKey.asymmetricKeyType).toBe('ec');
    expect(privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const publicKey = createPublicKey({ key: key.publicJwk as never, format: 'jwk' });

    const data = Buffer.from('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZGEifQ');
    // JWS ES256: SHA-256, signature as r||s (64 bytes).
    const signature = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    expect(signature).toHaveLength(64);
    expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    expect(verify('sha256', Buffer.from('something else'), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(false);
  });

  it("cannot be decrypted as another tenant's key", () => {
    expect(() => encryption.decrypt(key.privateKeyEnc, `01a21428-2d69-7345-a41f-e66e7b5812e1:${key.kid}`)).toThrow();
  });

  it('makes a different key (and kid) every time', async () => {
    const other = await newSigningKey(encryption, TENANT);
    expect(other.kid).not.toBe(key.kid);
    expect(other.publicJwk.x).not.toBe(key.publicJwk.x);
    const otherPublic = createPublicKey({ key: other.publicJwk as never, format: 'jwk' });
    const der = encryption.decrypt(key.privateKeyEnc, `${TENANT}:${key.kid}`);
    const sig = sign('sha256', Buffer.from('x'), { key: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), dsaEncoding: 'ieee-p1363' });
    expect(verify('sha256', Buffer.from('x'), { key: otherPublic, dsaEncoding: 'ieee-p1363' }, sig)).toBe(false);
  });
});
