import { createPublicKey, generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import type { AppConfig } from '@credence/config';
import type { SigningKeyStore } from '../keys/signing-key-store';
import type { RevocationStore } from '../revocation/revocation-store';
import * as jwt from './jwt';
import { TokenVerifier } from './token-verifier';
import { VerifiedSignatures } from './verified-signatures';

// The real verification, counted: a remembered signature is one not verified again.
jest.mock('./jwt', () => {
  const actual = jest.requireActual('./jwt');
  return { ...actual, verifyEs256: jest.fn(actual.verifyEs256) };
});
const verifications = jwt.verifyEs256 as jest.Mock;

const tenant = { id: '0190f5a0-0000-7000-8000-000000000001', slug: 'acme', schema: 't_0190f5a0000070008000000000000001' };
const config = { CREDENCE_BASE_URL: 'http://localhost:3000', TOKEN_CLOCK_SKEW_SECONDS: 0 } as AppConfig;
const issuer = 'http://localhost:3000/v1/t/acme';
const pair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** The remembered signatures of TokenVerifier: a token seen before skips the ECDSA verification, and nothing else. */
describe('TokenVerifier, a token presented again', () => {
  let signing: { privateKey: KeyObject; publicKey: KeyObject };
  let current: KeyObject | undefined;
  let revoked: boolean;
  let verifier: TokenVerifier;
  const keys = { verifyingKey: async () => current } as unknown as SigningKeyStore;
  const revocations = { isRevoked: async () => revoked } as unknown as RevocationStore;
  const issue = (claims: Record<string, unknown> = {}, key = signing.privateKey) => {
    const now = Math.floor(Date.now() / 1000);
    const body = { iss: issuer, aud: issuer, tid: tenant.id, sub: randomUUID(), sid: randomUUID(), jti: randomUUID(), iat: now, exp: now + 600, ...claims };
    return jwt.signEs256({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' }, body, key);
  };
  const reasonOf = (token: string) =>
    verifier.verify(tenant, token).then(
      () => 'accepted',
      (err: { reason?: string }) => err.reason,
    );

  beforeEach(() => {
    signing = pair();
    current = signing.publicKey;
    revoked = false;
    verifier = new TokenVerifier(keys, revocations, config);
  });

  it('is accepted again without a second signature verification', async () => {
    const token = issue();
    verifications.mockClear();
    expect(await reasonOf(token)).toBe('accepted');
    expect(await reasonOf(token)).toBe('accepted');
    expect(await reasonOf(token)).toBe('accepted');
    expect(verifications).toHaveBeenCalledTimes(1);
  });

  it('is refused when its payload changed under the signature it was accepted with', async () => {
    const token = issue();
    expect(await reasonOf(token)).toBe('accepted');
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    for (const forged of [
      `${h}.${b64({ ...claims, roles: ['owner'] })}.${s}`,
      `${h}.${b64({ ...claims, sub: randomUUID() })}.${s}`,
      `${b64({ alg: 'ES256', typ: 'at+jwt', kid: 'k1', x: 1 })}.${p}.${s}`,
    ]) {
      expect(await reasonOf(forged)).toBe('bad_signature');
    }
    expect(await reasonOf(token)).toBe('accepted');
  });

  it('is verified again, and refused, once the key under its kid is another one', async () => {
    const token = issue();
    expect(await reasonOf(token)).toBe('accepted');
    current = pair().publicKey;
    expect(await reasonOf(token)).toBe('bad_signature');
  });

  it('is refused once its key is gone', async () => {
    const token = issue();
    expect(await reasonOf(token)).toBe('accepted');
    current = undefined;
    expect(await reasonOf(token)).toBe('unknown_key');
  });

  it('is refused once it has expired or its session is revoked', async () => {
    const token = issue({ exp: Math.floor(Date.now() / 1000) + 60 });
    expect(await reasonOf(token)).toBe('accepted');
    revoked = true;
    expect(await reasonOf(token)).toBe('revoked');
    revoked = false;
    const clock = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 61_000);
    try {
      expect(await reasonOf(token)).toBe('expired');
    } finally {
      clock.mockRestore();
    }
  });

  it('never remembers a token whose signature failed', async () => {
    const forged = issue({}, pair().privateKey);
    verifications.mockClear();
    expect(await reasonOf(forged)).toBe('bad_signature');
    expect(await reasonOf(forged)).toBe('bad_signature');
    expect(verifications).toHaveBeenCalledTimes(2);
  });
});

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
