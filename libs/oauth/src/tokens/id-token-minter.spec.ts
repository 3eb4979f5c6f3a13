import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import type { AppConfig } from '@credence/config';
import type { SigningKeyStore } from '@credence/identity';
import { atHash, ID_TOKEN_TTL_SECONDS, idTokenClaims, IdTokenMinter } from './id-token-minter';
import { UserRecord } from './user-claims';

const user: UserRecord = {
  id: 'u-1',
  status: 'active',
  email: 'ada@example.com',
  username: 'ada',
  display_name: 'Ada L.',
  attributes: { given_name: 'Ada', family_name: 'Lovelace', email_verified: true },
};

describe('ID token claims', () => {
  it('carries the sign-in facts and only the user claims the scope releases', () => {
    const claims = idTokenClaims(
      'https://id.example/v1/t/acme',
      'tid-1',
      { user, clientId: 'cac_1', scope: ['openid'], authTime: 100, nonce: 'n', sid: 's', amr: ['pwd'] },
      1000,
    );
    expect(claims).toEqual({
      iss: 'https://id.example/v1/t/acme',
      sub: 'u-1',
      aud: 'cac_1',
      exp: 1000 + ID_TOKEN_TTL_SECONDS,
      iat: 1000,
      auth_time: 100,
      nonce: 'n',
      sid: 's',
      amr: ['pwd'],
      tid: 'tid-1',
    });
  });

  it('adds email and profile claims per scope, idp when federated, and at_hash', () => {
    const claims = idTokenClaims('iss', 'tid', { user, clientId: 'c', scope: 'openid email profile', idp: 'conn-1', accessToken: 'abc' }, 0);
    expect(claims).toMatchObject({
      email: 'ada@example.com',
      email_verified: true,
      name: 'Ada L.',
      given_name: 'Ada',
      family_name: 'Lovelace',
      preferred_username: 'ada',
      idp: 'conn-1',
      at_hash: atHash('abc'),
    });
    expect(claims).not.toHaveProperty('nonce');
  });

  it('omits absent profile values and says email_verified false unless the attribute is literally true', () => {
    const bare = { ...user, username: null, display_name: '', attributes: { email_verified: 'yes', given_name: 42 } };
    const claims = idTokenClaims('iss', 'tid', { user: bare, clientId: 'c', scope: ['openid', 'email', 'profile'] }, 0);
    expect(claims.email_verified).toBe(false);
    for (const name of ['name', 'given_name', 'family_name', 'preferred_username']) expect(claims).not.toHaveProperty(name);
  });

  it('computes at_hash as OIDC Core 3.1.3.6 says: left half of SHA-256, base64url', () => {
    expect(atHash('token')).toBe(createHash('sha256').update('token').digest().subarray(0, 16).toString('base64url'));
    expect(atHash('token')).toHaveLength(22);
  });

  it('signs ES256 with the tenant key, typ JWT and kid', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keys = { signingKeyFor: async () => ({ kid: 'k1', key: privateKey, createdAt: new Date() }) } as unknown as SigningKeyStore;
    const minter = new IdTokenMinter(keys, { CREDENCE_BASE_URL: 'https://id.example' } as AppConfig);
    const jwt = await minter.mint({ id: 'tid', slug: 'acme', schema: 's' }, { user, clientId: 'c', scope: ['openid'] });
    const [h, p, s] = jwt.split('.');
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'k1' });
    expect(JSON.parse(Buffer.from(p, 'base64url').toString())).toMatchObject({ iss: 'https://id.example/v1/t/acme', aud: 'c', sub: 'u-1', tid: 'tid' });
    expect(verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))).toBe(true);
  });
});
