import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type Redis from 'ioredis';
import { REDIS } from '@credence/redis';
import { TenantRef } from '@credence/context';
import { signEs256, SigningKeyStore } from '@credence/identity';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

const PASSWORD = 'a long enough password';
const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Every way a forged or misplaced access token could get in, each refused (rule 6 of the identity issue). */
describe('access-token verification', () => {
  let t: TestApp;
  let a: TenantRef;
  let b: TenantRef;
  let good: { access_token: string; session_id: string; user: { id: string } };
  let claims: Record<string, any>;
  let fetched = 0;
  let attacker: Server;
  let attackerUrl: string;

  const onboard = async (): Promise<TenantRef> => {
    const slug = uniqueSlug('jwt');
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: `admin@${slug}.example`, password: PASSWORD } });
    return { id: res.body.id, slug, schema: `t_${res.body.id.replace(/-/g, '')}` };
  };
  /** A guarded route; logout-all answers 200 for a valid token (it revokes the caller's sessions, so the control case re-logs in). */
  const guarded = (tenant: TenantRef, token: string) =>
    fetch(`${t.url}/v1/t/${tenant.slug}/auth/logout-all`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }).then(async (r) => ({
      status: r.status,
      challenge: r.headers.get('www-authenticate'),
      body: (await r.json()) as any,
    }));
  const signWith = async (tenant: TenantRef, header: Record<string, unknown>, body: Record<string, unknown>) => {
    const keys = { signing: await t.app.get(SigningKeyStore).signingKeyFor(tenant) };
    return signEs256({ alg: 'ES256', typ: 'at+jwt', kid: keys.signing.kid, ...header }, body, keys.signing.key);
  };
  /** RFC 6750 §3.1: every refused token is invalid_token, 401 with the challenge; the body's code says which kind. */
  const expectRefused = async (tenant: TenantRef, token: string, code = 'auth.token.invalid') => {
    const res = await guarded(tenant, token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe(code);
    expect(res.challenge).toBe(`Bearer realm="credence", error="invalid_token", error_description="${res.body.error.message}"`);
  };

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    a = await onboard();
    b = await onboard();
    good = (await t.call('POST', `/v1/t/${a.slug}/auth/login`, { email: `admin@${a.slug}.example`, password: PASSWORD }, { auth: false })).body;
    claims = JSON.parse(Buffer.from(good.access_token.split('.')[1], 'base64url').toString());
    attacker = createServer((_req, res) => {
      fetched++;
      res.end('{}');
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(async () => {
    attacker.close();
    await t.close();
  });

  it('accepts the genuine token (the control case)', async () => {
    const other = (await t.call('POST', `/v1/t/${a.slug}/auth/login`, { email: `admin@${a.slug}.example`, password: PASSWORD }, { auth: false })).body;
    const res = await guarded(a, other.access_token);
    expect(res.status).toBe(200);
    good = (await t.call('POST', `/v1/t/${a.slug}/auth/login`, { email: `admin@${a.slug}.example`, password: PASSWORD }, { auth: false })).body;
    claims = JSON.parse(Buffer.from(good.access_token.split('.')[1], 'base64url').toString());
  });

  it('refuses alg "none"', async () => {
    await expectRefused(a, `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.`);
    await expectRefused(a, `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.AAAA`);
  });

  it('refuses HS256 signed with the tenant public key as the HMAC secret', async () => {
    const jwks = (await t.call('GET', `/v1/t/${a.slug}/.well-known/jwks.json`, undefined, { auth: false })).body;
    const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: jwks.keys[0].kid })}.${b64(claims)}`;
    for (const secret of [JSON.stringify(jwks.keys[0]), jwks.keys[0].x]) {
      await expectRefused(a, `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`);
    }
  });

  it('ignores keys offered in the header (jwk, jku, x5u) and never fetches them', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    for (const header of [
      { jwk, kid: 'attacker' },
      { jku: attackerUrl, kid: 'attacker' },
      { x5u: attackerUrl, kid: 'attacker' },
    ]) {
      await expectRefused(a, signEs256({ alg: 'ES256', typ: 'at+jwt', ...header }, claims, privateKey));
    }
    // Even naming the tenant's real kid, an attacker's signature does not verify.
    const realKid = JSON.parse(Buffer.from(good.access_token.split('.')[0], 'base64url').toString()).kid;
    await expectRefused(a, signEs256({ alg: 'ES256', typ: 'at+jwt', kid: realKid, jwk }, claims, privateKey));
    expect(fetched).toBe(0);
  });

  it('refuses a tampered payload', async () => {
    const [h, , s] = good.access_token.split('.');
    await expectRefused(a, `${h}.${b64({ ...claims, roles: ['tenant_admin', 'superuser'] })}.${s}`);
  });

  it('refuses a token of tenant A at tenant B, however it is dressed', async () => {
    await expectRefused(b, good.access_token);
    // Signed by B's own key but carrying A's tenant id: the signature verifies, the tenant does not match.
    const iss = `${t.config.CREDENCE_BASE_URL}/v1/t/${b.slug}`;
    await expectRefused(b, await signWith(b, {}, { ...claims, iss, aud: iss }));
  });

  it.each([
    ['another issuer', (c: any) => ({ ...c, iss: 'https://evil.example/v1/t/x' }), 'auth.token.invalid'],
    ['another audience', (c: any) => ({ ...c, aud: 'https://other.example' }), 'auth.token.invalid'],
    ['an expired token', (c: any) => ({ ...c, exp: Math.floor(Date.now() / 1000) - 120 }), 'auth.token.expired'],
    ['a token not valid yet', (c: any) => ({ ...c, nbf: Math.floor(Date.now() / 1000) + 600 }), 'auth.token.invalid'],
    ['a token issued in the future', (c: any) => ({ ...c, iat: Math.floor(Date.now() / 1000) + 600 }), 'auth.token.invalid'],
    ['a token without a session id', (c: any) => ({ ...c, sid: undefined }), 'auth.token.invalid'],
  ])('refuses %s (correctly signed)', async (_name, change, code) => {
    await expectRefused(a, await signWith(a, {}, change(claims)), code);
  });

  it('refuses another token type (typ) and another algorithm name', async () => {
    await expectRefused(a, await signWith(a, { typ: 'JWT' }, claims));
    await expectRefused(a, await signWith(a, { alg: 'ES384' }, claims));
  });

  it('accepts a small clock skew', async () => {
    const fresh = (await t.call('POST', `/v1/t/${a.slug}/auth/login`, { email: `admin@${a.slug}.example`, password: PASSWORD }, { auth: false })).body;
    const c = JSON.parse(Buffer.from(fresh.access_token.split('.')[1], 'base64url').toString());
    const res = await guarded(a, await signWith(a, {}, { ...c, exp: Math.floor(Date.now() / 1000) - 5, jti: randomUUID() }));
    expect(res.status).toBe(200);
  });

  it("answers a revoked session's token and a revoked jti with 401 invalid_token, never 403", async () => {
    const login = async () => (await t.call('POST', `/v1/t/${a.slug}/auth/login`, { email: `admin@${a.slug}.example`, password: PASSWORD }, { auth: false })).body;
    const loggedOut = await login();
    expect((await t.call('POST', `/v1/t/${a.slug}/auth/logout`, undefined, { auth: loggedOut.access_token })).status).toBe(204);
    await expectRefused(a, loggedOut.access_token, 'auth.session.revoked');
    expect((await guarded(a, loggedOut.access_token)).challenge).toContain('error_description="The session has been revoked or has expired."');

    // Only the jti revoked, its session still live (revocation by a service).
    const live = await login();
    const c = JSON.parse(Buffer.from(live.access_token.split('.')[1], 'base64url').toString());
    await t.dataSource.query(`INSERT INTO "${a.schema}".revoked_access_tokens (jti, session_id, expires_at, reason) VALUES ($1, $2, to_timestamp($3), 'test')`, [
      c.jti,
      c.sid,
      c.exp,
    ]);
    const redis = t.app.get<Redis>(REDIS);
    await redis.set(`${t.config.REDIS_PREFIX}:revoked:jti:${c.jti}`, '1', 'EX', 600);
    await expectRefused(a, live.access_token, 'auth.session.revoked');
  });

  it('refuses garbage and oversized tokens', async () => {
    for (const token of ['x'.repeat(30), 'a.b.c.d', `${'a'.repeat(9000)}.b.c`]) {
      const res = await guarded(a, token);
      expect(res.status).toBe(401);
    }
  });
});
