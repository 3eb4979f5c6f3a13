import * as crypto from 'node:crypto';
import { generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import type { AppConfig } from '@credence/config';
import { AccessTokenVerifier, JwksCache } from '@credence/consumer-kit';
import type { SigningKeyStore } from '../keys/signing-key-store';
import type { RevocationStore } from '../revocation/revocation-store';
import { signEs256 } from './jwt';
import { TokenVerifier } from './token-verifier';

// The real ECDSA verification, counted (both verifiers call node:crypto's): a remembered signature is one not verified again.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual('node:crypto');
  return { ...actual, verify: jest.fn(actual.verify) };
});
const verifications = crypto.verify as unknown as jest.Mock;

const base = 'http://localhost:3000';
const tenant = { id: '0190f5a0-0000-7000-8000-000000000001', slug: 'acme', schema: 't_0190f5a0000070008000000000000001' };
const issuer = `${base}/v1/t/${tenant.slug}`;
const pair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** What a verifier is given: the key its key source returns now, and whether the token is revoked now. */
interface World {
  key(): KeyObject | undefined;
  revoked(): boolean;
}
type Check = (token: string) => Promise<string>;
const outcome = (checked: Promise<unknown>) =>
  checked.then(
    () => 'accepted',
    (err: { reason?: string }) => err.reason ?? String(err),
  );

const verifiers: { name: string; make(world: World): Check }[] = [
  {
    name: "Credence's TokenVerifier",
    make: (world) => {
      const keys = { verifyingKey: async () => world.key() } as unknown as SigningKeyStore;
      const revocations = { isRevoked: async () => world.revoked() } as unknown as RevocationStore;
      const verifier = new TokenVerifier(keys, revocations, { CREDENCE_BASE_URL: base, TOKEN_CLOCK_SKEW_SECONDS: 0 } as AppConfig);
      return (token) => outcome(verifier.verify(tenant, token));
    },
  },
  {
    name: "the consumer kit's AccessTokenVerifier",
    make: (world) => {
      const jwks = { key: async () => world.key() } as unknown as JwksCache;
      const verifier = new AccessTokenVerifier({ baseUrl: base, jwks, revocation: { isRevoked: async () => world.revoked() }, clockSkewSeconds: 0 });
      return (token) => outcome(verifier.verify(token, tenant));
    },
  },
];

/** Both verifiers remember verified signatures (VerifiedSignatures): a token seen before skips the ECDSA verification, and nothing else. */
describe.each(verifiers)('$name, a token presented again', ({ make }) => {
  let signing: { privateKey: KeyObject; publicKey: KeyObject };
  let current: KeyObject | undefined;
  let revoked: boolean;
  let check: Check;
  const issue = (claims: Record<string, unknown> = {}, key = signing.privateKey) => {
    const now = Math.floor(Date.now() / 1000);
    const body = { iss: issuer, aud: issuer, tid: tenant.id, sub: randomUUID(), sid: randomUUID(), jti: randomUUID(), iat: now, exp: now + 600, ...claims };
    return signEs256({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' }, body, key);
  };

  beforeEach(() => {
    signing = pair();
    current = signing.publicKey;
    revoked = false;
    check = make({ key: () => current, revoked: () => revoked });
    verifications.mockClear();
  });

  it('is accepted again without a second signature verification', async () => {
    const token = issue();
    expect([await check(token), await check(token), await check(token)]).toEqual(['accepted', 'accepted', 'accepted']);
    expect(verifications).toHaveBeenCalledTimes(1);
  });

  it('is refused when its payload or header changed under the signature it was accepted with', async () => {
    const token = issue();
    expect(await check(token)).toBe('accepted');
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    for (const forged of [
      `${h}.${b64({ ...claims, roles: ['owner'] })}.${s}`,
      `${h}.${b64({ ...claims, sub: randomUUID() })}.${s}`,
      `${b64({ alg: 'ES256', typ: 'at+jwt', kid: 'k1', x: 1 })}.${p}.${s}`,
    ]) {
      expect(await check(forged)).toBe('bad_signature');
    }
    expect(await check(token)).toBe('accepted');
  });

  it('is verified again, and refused, once the key under its kid is another one, and refused once it is gone', async () => {
    const token = issue();
    expect(await check(token)).toBe('accepted');
    current = pair().publicKey;
    expect(await check(token)).toBe('bad_signature');
    current = undefined;
    expect(await check(token)).toBe('unknown_key');
  });

  it('is refused once its session is revoked or it has expired', async () => {
    const token = issue({ exp: Math.floor(Date.now() / 1000) + 60 });
    expect(await check(token)).toBe('accepted');
    revoked = true;
    expect(await check(token)).toBe('revoked');
    revoked = false;
    const clock = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 61_000);
    try {
      expect(await check(token)).toBe('expired');
    } finally {
      clock.mockRestore();
    }
  });

  it('never remembers a token whose signature failed', async () => {
    const forged = issue({}, pair().privateKey);
    expect([await check(forged), await check(forged)]).toEqual(['bad_signature', 'bad_signature']);
    expect(verifications).toHaveBeenCalledTimes(2);
  });
});
