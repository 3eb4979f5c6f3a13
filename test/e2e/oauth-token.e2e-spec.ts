import { createHash, createPublicKey, JsonWebKey, randomBytes, verify } from 'node:crypto';
import Redis from 'ioredis';
import { RequestContext } from '@credence/context';
import { ClientInfo } from '@credence/identity';
import { CompleteInteraction, InteractionStore } from '@credence/oauth';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { eventsOf, member, Member, onboard, Tenant } from './identity-authz-fixture';

const CALLBACK = 'https://app.example.com/callback';
const ALL_SCOPES = ['openid', 'email', 'profile', 'offline_access'];
const CLIENT: ClientInfo = { ip: '127.0.0.1', userAgent: 'jest', deviceType: 'desktop', location: null };

interface App {
  client_id: string;
  client_secret?: string;
}

const sha256hex = (v: string) => createHash('sha256').update(v).digest('hex');
const challengeOf = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const decode = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
const header = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString());

/**
 * The OpenID Provider's token endpoint, userinfo and discovery, against the real auth app. Codes are made
 * the real way minus the authorize endpoint: an interaction completed by CompleteInteraction.
 */
describe('OAuth token endpoint, userinfo, discovery', () => {
  let t: TestApp;
  let acme: Tenant;
  let other: Tenant;
  let user: Member;
  let confidential: App;
  let secondConfidential: App;
  let publicApp: App;
  let otherTenantApp: App;
  let redis: Redis;

  const createApp = async (tenant: Tenant, type: 'public' | 'confidential'): Promise<App> => {
    const res = await t.call('POST', `/v1/t/${tenant.slug}/applications`, { name: `${type} app`, type, redirect_uris: [CALLBACK] }, { auth: tenant.admin });
    expect(res.status).toBe(201);
    return res.body;
  };

  /** A fresh code for `app` and `userId`, with its verifier. */
  const codeFor = async (app: App, userId = user.id, tenant = acme, scope = ALL_SCOPES, nonce: string | null = 'n-123') => {
    const verifier = randomBytes(32).toString('base64url');
    const cookie = randomBytes(16).toString('hex');
    const ref = { id: tenant.id, slug: tenant.slug, schema: tenant.schema };
    const redirectTo = await t.app.get(RequestContext).runWith({ tenant: ref }, async () => {
      const interaction = await t.app.get(InteractionStore).create({
        clientId: app.client_id,
        redirectUri: CALLBACK,
        scope,
        state: 's-1',
        nonce: nonce ?? undefined,
        codeChallenge: challengeOf(verifier),
        binding: sha256hex(cookie),
      });
      return (await t.app.get(CompleteInteraction).execute(interaction.id, cookie, { userId, method: 'local' }, CLIENT)).redirectTo;
    });
    const url = new URL(redirectTo);
    return { code: url.searchParams.get('code')!, verifier };
  };

  const token = async (form: Record<string, string>, options: { tenant?: Tenant; authorization?: string; contentType?: string; raw?: string } = {}) => {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded' };
    if (options.authorization) headers.authorization = options.authorization;
    const res = await fetch(`${t.url}/v1/t/${(options.tenant ?? acme).slug}/oauth2/token`, {
      method: 'POST',
      headers,
      body: options.raw ?? new URLSearchParams(form).toString(),
    });
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* keep text */
    }
    return { status: res.status, body, headers: res.headers };
  };

  const exchange = (app: App, code: { code: string; verifier: string }, extra: Record<string, string> = {}, tenant = acme) =>
    token(
      {
        grant_type: 'authorization_code',
        code: code.code,
        redirect_uri: CALLBACK,
        code_verifier: code.verifier,
        ...(app.client_secret ? {} : { client_id: app.client_id }),
        ...extra,
      },
      { authorization: app.client_secret ? basic(app.client_id, app.client_secret) : undefined, tenant },
    );

  const expectOAuthError = (res: { status: number; body: any; headers: Headers }, status: number, error: string) => {
    expect([res.status, res.body.error]).toEqual([status, error]);
    expect(typeof res.body.error_description).toBe('string');
    expect(res.headers.get('cache-control')).toBe('no-store');
  };

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    acme = await onboard(t, 'op-token');
    other = await onboard(t, 'op-token-other');
    user = await member(t, acme, ['employee'], { given_name: 'Ada', family_name: 'Lovelace' }, { display_name: 'Ada L.', username: 'ada' });
    confidential = await createApp(acme, 'confidential');
    secondConfidential = await createApp(acme, 'confidential');
    publicApp = await createApp(acme, 'public');
    otherTenantApp = await createApp(other, 'confidential');
    redis = new Redis(t.config.REDIS_URL);
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
  });

  it('exchanges a code of a confidential client (Basic): tokens, no-store, and an ID token that verifies with the JWKS', async () => {
    const res = await exchange(confidential, await codeFor(confidential));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: expect.any(Number),
      refresh_token: expect.any(String),
      id_token: expect.any(String),
      scope: ALL_SCOPES.join(' '),
    });
    const jwks = (await t.call('GET', `/v1/t/${acme.slug}/.well-known/jwks.json`, undefined, { auth: false })).body;
    const h = header(res.body.id_token);
    expect(h).toMatchObject({ alg: 'ES256', typ: 'JWT', kid: expect.any(String) });
    const jwk = jwks.keys.find((k: { kid: string }) => k.kid === h.kid) as JsonWebKey;
    const [hh, pp, ss] = res.body.id_token.split('.');
    expect(verify('sha256', Buffer.from(`${hh}.${pp}`), { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(ss, 'base64url'))).toBe(
      true,
    );
    const claims = decode(res.body.id_token);
    const issuer = `${t.config.CREDENCE_BASE_URL}/v1/t/${acme.slug}`;
    expect(claims).toEqual({
      iss: issuer,
      sub: user.id,
      aud: confidential.client_id,
      exp: claims.iat + 3600,
      iat: expect.any(Number),
      auth_time: expect.any(Number),
      nonce: 'n-123',
      sid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      amr: ['pwd'],
      at_hash: createHash('sha256').update(res.body.access_token).digest().subarray(0, 16).toString('base64url'),
      tid: acme.id,
      email: user.email,
      email_verified: false,
      name: 'Ada L.',
      given_name: 'Ada',
      family_name: 'Lovelace',
      preferred_username: 'ada',
    });
    const access = decode(res.body.access_token);
    expect(access).toMatchObject({ sub: user.id, client_id: confidential.client_id, scope: ALL_SCOPES.join(' '), iss: issuer });
    // The access token works on the API, and at userinfo.
    expect((await t.call('GET', `/v1/t/${acme.slug}/me`, undefined, { auth: res.body.access_token })).status).toBe(200);
    const info = await t.call('GET', `/v1/t/${acme.slug}/oauth2/userinfo`, undefined, { auth: res.body.access_token });
    expect(info.status).toBe(200);
    expect(info.body).toEqual({ sub: user.id, email: user.email, email_verified: false, name: 'Ada L.', given_name: 'Ada', family_name: 'Lovelace', preferred_username: 'ada' });
    const posted = await t.call('POST', `/v1/t/${acme.slug}/oauth2/userinfo`, undefined, { auth: res.body.access_token });
    expect(posted.status).toBe(200);
  });

  it('exchanges with client_secret_post, and for a public client with none; leaves out refresh and ID tokens the scope does not ask for', async () => {
    const code = await codeFor(confidential);
    const post = await token({
      grant_type: 'authorization_code',
      code: code.code,
      redirect_uri: CALLBACK,
      code_verifier: code.verifier,
      client_id: confidential.client_id,
      client_secret: confidential.client_secret!,
    });
    expect(post.status).toBe(200);
    const pub = await exchange(publicApp, await codeFor(publicApp));
    expect(pub.status).toBe(200);
    expect(pub.body.id_token).toBeDefined();
    const narrow = await exchange(publicApp, await codeFor(publicApp, user.id, acme, ['openid'], null));
    expect(narrow.status).toBe(200);
    expect(narrow.body).not.toHaveProperty('refresh_token');
    expect(decode(narrow.body.id_token)).not.toHaveProperty('nonce');
    expect(decode(narrow.body.id_token)).not.toHaveProperty('email');
    const noOpenid = await exchange(publicApp, await codeFor(publicApp, user.id, acme, ['email'], null));
    expect(noOpenid.status).toBe(200);
    expect(noOpenid.body).not.toHaveProperty('id_token');
    // Userinfo needs the openid scope.
    const info = await t.call('GET', `/v1/t/${acme.slug}/oauth2/userinfo`, undefined, { auth: noOpenid.body.access_token });
    expect([info.status, info.body.error]).toEqual([403, 'insufficient_scope']);
    expect(info.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    // An API sign-in token has no client: refused there too; no token at all is a bare challenge.
    const api = await t.call('GET', `/v1/t/${acme.slug}/oauth2/userinfo`, undefined, { auth: user.token });
    expect(api.status).toBe(403);
    const none = await t.call('GET', `/v1/t/${acme.slug}/oauth2/userinfo`, undefined, { auth: false });
    expect([none.status, none.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="credence"']);
    const garbage = await t.call('GET', `/v1/t/${acme.slug}/oauth2/userinfo`, undefined, { auth: 'not.a.jwt' });
    expect([garbage.status, garbage.body.error]).toEqual([401, 'invalid_token']);
  });

  it('refuses wrong and missing verifiers, a redirect_uri mismatch, a code of another client or tenant, and spends the code anyway', async () => {
    const wrong = await codeFor(confidential);
    expectOAuthError(await exchange(confidential, { ...wrong, verifier: randomBytes(32).toString('base64url') }), 400, 'invalid_grant');
    expectOAuthError(await exchange(confidential, wrong), 400, 'invalid_grant'); // spent by the failed attempt

    const missing = await codeFor(confidential);
    expectOAuthError(
      await token(
        { grant_type: 'authorization_code', code: missing.code, redirect_uri: CALLBACK },
        { authorization: basic(confidential.client_id, confidential.client_secret!) },
      ),
      400,
      'invalid_request',
    );

    const mismatch = await codeFor(confidential);
    expectOAuthError(await exchange(confidential, mismatch, { redirect_uri: `${CALLBACK}/other` }), 400, 'invalid_grant');

    const ofAnother = await codeFor(secondConfidential);
    expectOAuthError(await exchange(confidential, ofAnother), 400, 'invalid_grant');
    expectOAuthError(await exchange(secondConfidential, ofAnother), 400, 'invalid_grant');

    // A code of acme presented at the other tenant, by the other tenant's client: unknown there.
    const acmeCode = await codeFor(confidential);
    expectOAuthError(await exchange(otherTenantApp, acmeCode, {}, other), 400, 'invalid_grant');
    // And acme's client does not exist at the other tenant.
    expectOAuthError(await exchange(confidential, acmeCode, {}, other), 401, 'invalid_client');
  });

  it('a reused code revokes what the first exchange issued', async () => {
    const code = await codeFor(confidential);
    const first = await exchange(confidential, code);
    expect(first.status).toBe(200);
    expectOAuthError(await exchange(confidential, code), 400, 'invalid_grant');
    expect((await t.call('GET', `/v1/t/${acme.slug}/me`, undefined, { auth: first.body.access_token })).status).toBe(401);
    const refresh = await token(
      { grant_type: 'refresh_token', refresh_token: first.body.refresh_token },
      { authorization: basic(confidential.client_id, confidential.client_secret!) },
    );
    expectOAuthError(refresh, 400, 'invalid_grant');
  });

  it('concurrent exchanges of one code: exactly one 200, and no token of that code stays valid once it was replayed', async () => {
    const activeSessions = async () =>
      (await t.dataSource.query(`SELECT count(*)::int AS n FROM "${acme.schema}".auth_sessions WHERE client_id = $1 AND status = 'active'`, [publicApp.client_id]))[0].n;
    for (let round = 0; round < 5; round++) {
      const code = await codeFor(publicApp);
      const before = await activeSessions();
      const results = await Promise.all([exchange(publicApp, code), exchange(publicApp, code), exchange(publicApp, code)]);
      const ok = results.filter((r) => r.status === 200);
      expect(ok.length).toBe(1);
      for (const r of results.filter((x) => x.status !== 200)) expect([r.status, r.body.error]).toEqual([400, 'invalid_grant']);
      // The first exchange's session is revoked by the replay, whether it had answered already or not.
      for (const r of ok) expect((await t.call('GET', `/v1/t/${acme.slug}/me`, undefined, { auth: r.body.access_token })).status).toBe(401);
      expect(await activeSessions()).toBe(before);
    }
  });

  it('an expired code is refused', async () => {
    const code = await codeFor(publicApp);
    const key = `${t.config.REDIS_PREFIX}:oauth:code:${acme.id}:${sha256hex(code.code)}`;
    expect(await redis.pexpire(key, 1)).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    expectOAuthError(await exchange(publicApp, code), 400, 'invalid_grant');
  });

  it('authenticates clients strictly: wrong secret, secret from a public client, two methods, unknown client', async () => {
    const code = await codeFor(confidential);
    const wrong = await exchange({ ...confidential, client_secret: `${confidential.client_secret}x` }, code);
    expectOAuthError(wrong, 401, 'invalid_client');
    expect(wrong.headers.get('www-authenticate')).toBe('Basic realm="credence"');
    // The code was not spent by a failed client authentication.
    expect((await exchange(confidential, code)).status).toBe(200);

    const pubCode = await codeFor(publicApp);
    expectOAuthError(await exchange({ client_id: publicApp.client_id, client_secret: 'cas_guess' }, pubCode), 401, 'invalid_client');
    expectOAuthError(
      await token({
        grant_type: 'authorization_code',
        code: pubCode.code,
        redirect_uri: CALLBACK,
        code_verifier: pubCode.verifier,
        client_id: publicApp.client_id,
        client_secret: 'x',
      }),
      401,
      'invalid_client',
    );
    // A confidential client without its secret.
    expectOAuthError(await exchange({ client_id: confidential.client_id }, await codeFor(confidential)), 401, 'invalid_client');
    // Basic and client_secret_post at once.
    expectOAuthError(
      await token(
        { grant_type: 'client_credentials', client_secret: confidential.client_secret! },
        { authorization: basic(confidential.client_id, confidential.client_secret!) },
      ),
      400,
      'invalid_request',
    );
    expectOAuthError(await token({ grant_type: 'client_credentials' }), 401, 'invalid_client');
    expectOAuthError(await token({ grant_type: 'client_credentials', client_id: 'cac_unknown', client_secret: 'nope' }), 401, 'invalid_client');
    // The public client is still usable after all that.
    expect((await exchange(publicApp, pubCode)).status).toBe(200);
  });

  it('rate-limits failed client authentications per client and address with 429 invalid_client and Retry-After', async () => {
    const app = await createApp(acme, 'confidential');
    let last;
    for (let i = 0; i < 11; i++) last = await token({ grant_type: 'client_credentials', client_id: app.client_id, client_secret: 'wrong' });
    expectOAuthError(last!, 429, 'invalid_client');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right secret waits for the window to end.
    expectOAuthError(await token({ grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret! }), 429, 'invalid_client');
  });

  it('refreshes through the token endpoint with rotation; reuse revokes the family; another client cannot use or burn the token', async () => {
    const first = await exchange(confidential, await codeFor(confidential));
    const auth = { authorization: basic(confidential.client_id, confidential.client_secret!) };
    const stolen = await token(
      { grant_type: 'refresh_token', refresh_token: first.body.refresh_token },
      { authorization: basic(secondConfidential.client_id, secondConfidential.client_secret!) },
    );
    expectOAuthError(stolen, 400, 'invalid_grant');
    const publicTry = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token, client_id: publicApp.client_id });
    expectOAuthError(publicTry, 400, 'invalid_grant');
    // The API's refresh route refuses a token that belongs to an application.
    const api = await t.call('POST', `/v1/t/${acme.slug}/auth/token/refresh`, { refresh_token: first.body.refresh_token }, { auth: false });
    expect(api.status).toBe(401);

    const second = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, auth);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ token_type: 'Bearer', refresh_token: expect.any(String), id_token: expect.any(String), scope: ALL_SCOPES.join(' ') });
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    const idClaims = decode(second.body.id_token);
    expect(idClaims).toMatchObject({
      sub: user.id,
      aud: confidential.client_id,
      amr: ['pwd'],
      sid: decode(first.body.id_token).sid,
      auth_time: decode(first.body.id_token).auth_time,
      // The user's claims are read as they are now.
      email: user.email,
    });
    expect(idClaims).not.toHaveProperty('nonce');
    expect(decode(second.body.access_token)).toMatchObject({ client_id: confidential.client_id, scope: ALL_SCOPES.join(' ') });

    const reuse = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, auth);
    expectOAuthError(reuse, 400, 'invalid_grant');
    const sid = decode(second.body.access_token).sid;
    expect((await eventsOf(t, acme, 'auth.token.reuse_detected')).some((e) => e.data.session_id === sid)).toBe(true);
    expectOAuthError(await token({ grant_type: 'refresh_token', refresh_token: second.body.refresh_token }, auth), 400, 'invalid_grant');
    expect((await t.call('GET', `/v1/t/${acme.slug}/me`, undefined, { auth: second.body.access_token })).status).toBe(401);
  });

  it('twenty concurrent refreshes of one token through /oauth2/token: one succeeds with an ID token, the others are reuse, and the family ends', async () => {
    const first = await exchange(confidential, await codeFor(confidential));
    const auth = { authorization: basic(confidential.client_id, confidential.client_secret!) };
    const answers = await Promise.all(Array.from({ length: 20 }, () => token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, auth)));
    const ok = answers.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(decode(ok[0].body.id_token)).toMatchObject({ sub: user.id, email: user.email, sid: decode(first.body.id_token).sid });
    for (const r of answers.filter((x) => x.status !== 200)) expectOAuthError(r, 400, 'invalid_grant');
    // The winner's tokens went with the family: the reuse revoked the whole session.
    expectOAuthError(await token({ grant_type: 'refresh_token', refresh_token: ok[0].body.refresh_token }, auth), 400, 'invalid_grant');
  });

  it('client_credentials: a token for a confidential app (sub = client), refused for a public one; introspection answers it, user routes do not', async () => {
    const res = await token({ grant_type: 'client_credentials' }, { authorization: basic(confidential.client_id, confidential.client_secret!) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: expect.any(Number) });
    const claims = decode(res.body.access_token);
    expect(claims).toMatchObject({ sub: confidential.client_id, client_id: confidential.client_id, roles: [] });
    expect(claims).not.toHaveProperty('sid');
    expect((await t.call('GET', `/v1/t/${acme.slug}/me`, undefined, { auth: res.body.access_token })).status).toBe(401);
    const info = await t.call('GET', `/v1/t/${acme.slug}/oauth2/userinfo`, undefined, { auth: res.body.access_token });
    expect([info.status, info.body.error]).toEqual([401, 'invalid_token']);

    const cred = await t.call('POST', `/v1/t/${acme.slug}/service-credentials`, { name: 'introspector', permissions: ['token.introspect'] }, { auth: acme.admin });
    expect(cred.status).toBe(201);
    const introspected = await t.call(
      'POST',
      `/v1/t/${acme.slug}/auth/introspect`,
      { token: res.body.access_token },
      {
        auth: false,
        headers: { authorization: basic(cred.body.client_id, cred.body.client_secret) },
      },
    );
    expect(introspected.status).toBe(200);
    expect(introspected.body).toMatchObject({ active: true, sub: confidential.client_id, client_id: confidential.client_id });

    expectOAuthError(await token({ grant_type: 'client_credentials', client_id: publicApp.client_id }), 400, 'unauthorized_client');
    expectOAuthError(
      await token({ grant_type: 'client_credentials', scope: 'openid' }, { authorization: basic(confidential.client_id, confidential.client_secret!) }),
      400,
      'invalid_scope',
    );
  });

  it("refuses a disabled user's code", async () => {
    const doomed = await member(t, acme, []);
    const code = await codeFor(publicApp, doomed.id);
    expect((await t.call('POST', `/v1/t/${acme.slug}/users/${doomed.id}/disable`, undefined, { auth: acme.admin })).status).toBe(200);
    expectOAuthError(await exchange(publicApp, code), 400, 'invalid_grant');
  });

  it('refuses JSON bodies and hostile values without a 500', async () => {
    const json = await token({}, { contentType: 'application/json', raw: JSON.stringify({ grant_type: 'client_credentials', client_id: publicApp.client_id }) });
    expectOAuthError(json, 400, 'invalid_request');
    expectOAuthError(await token({ grant_type: 'password', client_id: publicApp.client_id }), 400, 'unsupported_grant_type');
    expectOAuthError(await token({ client_id: publicApp.client_id }), 400, 'invalid_request');
    expectOAuthError(await exchange(publicApp, { code: 'x'.repeat(10_000), verifier: 'v'.repeat(50) }), 400, 'invalid_grant');
    expectOAuthError(await exchange(publicApp, { code: 'abc\u0000def', verifier: 'v'.repeat(50) }), 400, 'invalid_request');
    const nulClient = await token({ grant_type: 'client_credentials', client_id: 'a\u0000b' });
    expect(nulClient.status).toBeGreaterThanOrEqual(400);
    expect(nulClient.status).toBeLessThan(500);
    const badBasic = await token({ grant_type: 'client_credentials' }, { authorization: 'Basic %%%' });
    expectOAuthError(badBasic, 401, 'invalid_client');
    // A NUL or a line break in the Basic client id, raw or form-encoded: no such client, never a 500.
    for (const id of ['cac_a\u0000b', 'cac_a%00b', 'cac_a%0Ab', '%ED%A0%80']) {
      const nulBasic = await token({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(`${id}:secret`).toString('base64')}` });
      expectOAuthError(nulBasic, 401, 'invalid_client');
    }
    const noTenant = await token({ grant_type: 'client_credentials', client_id: publicApp.client_id }, { tenant: { ...acme, slug: 'no-such-tenant-xyz' } });
    expectOAuthError(noTenant, 400, 'invalid_request');
  });

  it('publishes discovery as the contract lists', async () => {
    const res = await t.call('GET', `/v1/t/${acme.slug}/.well-known/openid-configuration`, undefined, { auth: false });
    const issuer = `${t.config.CREDENCE_BASE_URL}/v1/t/${acme.slug}`;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}/oauth2/authorize`,
      token_endpoint: `${issuer}/oauth2/token`,
      userinfo_endpoint: `${issuer}/oauth2/userinfo`,
      end_session_endpoint: `${issuer}/oauth2/logout`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['ES256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      subject_types_supported: ['public'],
      authorization_response_iss_parameter_supported: true,
      introspection_endpoint: `${issuer}/auth/introspect`,
      revocation_endpoint: `${issuer}/auth/revoke`,
    });
  });
});
