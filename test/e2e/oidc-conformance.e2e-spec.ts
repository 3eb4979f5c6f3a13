import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import * as client from 'openid-client';
import { RequestContext } from '@credence/context';
import { clientInfo } from '@credence/identity';
import { CompleteInteraction } from '@credence/oauth';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { member, Member, onboard, Tenant } from './identity-authz-fixture';
import { testAppUrls } from '../support/openid-client';

const CALLBACK = 'https://rp.example.com/callback';
const AFTER_LOGOUT = 'https://rp.example.com/';

interface RegisteredApp {
  client_id: string;
  client_secret?: string;
}

/**
 * The OpenID Provider as a certified relying-party library sees it: openid-client 6 discovers the
 * tenant, builds the authorization request (PKCE S256, state, nonce), validates the callback (RFC 9207
 * iss included) and the ID token (signature against the JWKS too), refreshes, reads userinfo and logs
 * out. The sign-in itself is CompleteInteraction, as the hosted page and every IdP finish it (the
 * browser spec drives the page). Then the refusals a lenient provider would get wrong.
 */
describe('OpenID Connect conformance through openid-client', () => {
  let t: TestApp;
  let acme: Tenant;
  let user: Member;
  let web: RegisteredApp;
  let spa: RegisteredApp;
  let other: RegisteredApp;
  let context: RequestContext;

  /** Credence's public base URL is http://credence.test in tests; requests go to the test server instead. */
  const { base, local, rewrite } = testAppUrls(() => t);
  const issuerUrl = (tenant: Tenant) => new URL(`${base()}/v1/t/${tenant.slug}`);

  async function configFor(app: RegisteredApp, auth?: client.ClientAuth, tenant: Tenant = acme): Promise<client.Configuration> {
    const config = await client.discovery(
      issuerUrl(tenant),
      app.client_id,
      app.client_secret,
      auth ?? (app.client_secret ? client.ClientSecretBasic(app.client_secret) : client.None()),
      {
        execute: [client.allowInsecureRequests],
        [client.customFetch]: rewrite,
      },
    );
    config[client.customFetch] = rewrite;
    client.enableNonRepudiationChecks(config);
    return config;
  }

  async function register(tenant: Tenant, type: 'public' | 'confidential'): Promise<RegisteredApp> {
    const res = await t.call(
      'POST',
      `/v1/t/${tenant.slug}/applications`,
      { name: `RP ${type}`, type, redirect_uris: [CALLBACK], post_logout_redirect_uris: [AFTER_LOGOUT] },
      { auth: tenant.admin },
    );
    expect(res.status).toBe(201);
    return res.body;
  }

  interface Started {
    url: URL;
    verifier: string;
    state: string;
    nonce: string;
  }

  async function start(config: client.Configuration, extra: Record<string, string> = {}): Promise<Started> {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid profile email offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    return { url, verifier, state, nonce };
  }

  /** Follows the authorization request; without a session, signs `who` in as the hosted page would. Returns the callback URL. */
  async function authorize(started: Started, who: Member | undefined, cookie = ''): Promise<{ callback: URL; cookie: string }> {
    const res = await fetch(local(started.url), { redirect: 'manual', headers: cookie ? { cookie } : {} });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!, base());
    if (location.href.startsWith(CALLBACK)) return { callback: location, cookie };
    expect(location.pathname).toBe(`/v1/t/${acme.slug}/login`);
    const binding = res.headers
      .getSetCookie()
      .find((c) => c.startsWith('credence_binding='))!
      .split(';')[0]
      .slice('credence_binding='.length);
    const done = await context.runWith({ tenant: { id: acme.id, slug: acme.slug, schema: acme.schema } }, () =>
      t.app
        .get(CompleteInteraction)
        .execute(location.searchParams.get('interaction')!, binding, { userId: who!.id, method: 'local' }, clientInfo({ ip: '127.0.0.1', headers: {} })),
    );
    return { callback: new URL(done.redirectTo), cookie: `credence_session=${done.sessionCookie!.value}` };
  }

  async function signIn(config: client.Configuration, who: Member = user) {
    const started = await start(config);
    const { callback, cookie } = await authorize(started, who);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
      idTokenExpected: true,
    });
    return { tokens, cookie, callback, started };
  }

  const oauthError = async (promise: Promise<unknown>) => {
    const err = (await promise.then(
      () => undefined,
      (e: unknown) => e,
    )) as { error?: string; status?: number; code?: string } | undefined;
    expect(err).toBeDefined();
    return err!;
  };

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    context = t.app.get(RequestContext);
    acme = await onboard(t, 'oidc');
    user = await member(t, acme, []);
    web = await register(acme, 'confidential');
    spa = await register(acme, 'public');
    other = await register(acme, 'confidential');
  });
  afterAll(() => t.close());

  it('publishes the discovery document of the contract', async () => {
    const config = await configFor(web);
    const meta = config.serverMetadata();
    const issuer = issuerUrl(acme).href;
    expect(meta).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}/oauth2/authorize`,
      token_endpoint: `${issuer}/oauth2/token`,
      userinfo_endpoint: `${issuer}/oauth2/userinfo`,
      end_session_endpoint: `${issuer}/oauth2/logout`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['ES256'],
      subject_types_supported: ['public'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(meta.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']));
    expect(meta.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'none']));
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']));
  });

  it('signs in a confidential client: code, tokens, an ID token whose signature, iss, aud, nonce and claims check out', async () => {
    const config = await configFor(web);
    const { tokens } = await signIn(config);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toBeTruthy();
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: issuerUrl(acme).href, sub: user.id, aud: web.client_id, tid: acme.id, email: user.email, amr: ['pwd'] });
    expect(typeof claims.auth_time).toBe('number');
    expect(typeof claims.sid).toBe('string');
    expect(claims.exp - claims.iat).toBeGreaterThan(0);
  });

  it('signs in with client_secret_post, and a public client with PKCE and no secret', async () => {
    const post = await configFor(web, client.ClientSecretPost(web.client_secret!));
    expect((await signIn(post)).tokens.claims()!.sub).toBe(user.id);
    const pub = await configFor(spa, client.None());
    expect((await signIn(pub)).tokens.claims()!.aud).toBe(spa.client_id);
  });

  it('gives a second app of the tenant its code from the browser session (single sign-on), and prompt=none works with it', async () => {
    const first = await signIn(await configFor(web));
    const config = await configFor(other);
    const started = await start(config, { prompt: 'none' });
    const { callback } = await authorize(started, undefined, first.cookie);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce });
    expect(tokens.claims()).toMatchObject({ sub: user.id, aud: other.client_id, sid: first.tokens.claims()!.sid });
  });

  it('refreshes through the token endpoint; replaying the old refresh token revokes the family', async () => {
    const config = await configFor(web);
    const { tokens } = await signIn(config);
    const next = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(next.access_token).not.toBe(tokens.access_token);
    const replay = await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!));
    expect(replay.error).toBe('invalid_grant');
    const after = await oauthError(client.refreshTokenGrant(config, next.refresh_token!));
    expect(after.error).toBe('invalid_grant');
  });

  it('reads userinfo with the access token, matching the ID token subject', async () => {
    const config = await configFor(web);
    const { tokens } = await signIn(config);
    const info = await client.fetchUserInfo(config, tokens.access_token, user.id);
    expect(info).toMatchObject({ sub: user.id, email: user.email });
  });

  it('logs out: the browser session ends, its tokens are revoked, and the browser returns to the registered address with state', async () => {
    const config = await configFor(web);
    const { tokens, cookie } = await signIn(config);
    const url = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: AFTER_LOGOUT, state: 'bye' });
    const res = await fetch(local(url), { redirect: 'manual', headers: { cookie } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${AFTER_LOGOUT}?state=bye`);
    const refused = await oauthError(client.fetchUserInfo(config, tokens.access_token, user.id));
    expect(refused.status ?? (refused as { response?: Response }).response?.status).toBe(401);
    expect((await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).error).toBe('invalid_grant');
  });

  it('gives a confidential client an access token of its own with client_credentials, and refuses a public one', async () => {
    const tokens = await client.clientCredentialsGrant(await configFor(web));
    const payload = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString());
    expect(payload).toMatchObject({ sub: web.client_id, client_id: web.client_id });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.id_token).toBeUndefined();
    expect((await oauthError(client.clientCredentialsGrant(await configFor(spa, client.None())))).error).toMatch(/unauthorized_client|invalid_client/);
  });

  describe('refusals', () => {
    it('shows an error page for an unregistered redirect URI (no redirect)', async () => {
      const started = await start(await configFor(web), { redirect_uri: 'https://attacker.example/cb' });
      const res = await fetch(local(started.url), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    });

    it('refuses an authorization request without PKCE or with plain PKCE, back at the app with iss', async () => {
      const config = await configFor(web);
      for (const params of [
        { code_challenge: '', code_challenge_method: '' },
        { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' },
      ]) {
        const url = client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid', state: 's1', ...params });
        const res = await fetch(local(url), { redirect: 'manual' });
        const back = new URL(res.headers.get('location')!);
        expect(back.searchParams.get('error')).toBe('invalid_request');
        expect(back.searchParams.get('iss')).toBe(issuerUrl(acme).href);
        // openid-client reads the error from the callback.
        const err = await oauthError(client.authorizationCodeGrant(config, back, { expectedState: 's1', pkceCodeVerifier: 'x'.repeat(43) }));
        expect(err.error).toBe('invalid_request');
      }
    });

    it('refuses a wrong code_verifier', async () => {
      const config = await configFor(web);
      const started = await start(config);
      const { callback } = await authorize(started, user);
      const err = await oauthError(
        client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: started.state, expectedNonce: started.nonce }),
      );
      expect(err.error).toBe('invalid_grant');
    });

    it('refuses a reused code, and revokes the tokens the first use issued', async () => {
      const config = await configFor(web);
      const { tokens, callback, started } = await signIn(config);
      const err = await oauthError(
        client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce }),
      );
      expect(err.error).toBe('invalid_grant');
      expect((await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).error).toBe('invalid_grant');
      const me = await t.call('GET', `/v1/t/${acme.slug}/me`, undefined, { auth: tokens.access_token });
      expect(me.status).toBe(401);
    });

    it('refuses an expired code', async () => {
      const config = await configFor(web);
      const started = await start(config);
      const { callback } = await authorize(started, user);
      const code = callback.searchParams.get('code')!;
      const key = `${t.config.REDIS_PREFIX}:oauth:code:${acme.id}:${createHash('sha256').update(code).digest('hex')}`;
      const redis = new Redis(t.config.REDIS_URL);
      try {
        expect(await redis.pttl(key)).toBeGreaterThan(50_000);
        expect(await redis.pttl(key)).toBeLessThanOrEqual(60_000);
        await redis.pexpire(key, 1);
      } finally {
        redis.disconnect();
      }
      await new Promise((r) => setTimeout(r, 20));
      const err = await oauthError(
        client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce }),
      );
      expect(err.error).toBe('invalid_grant');
    });

    it("refuses another client's code", async () => {
      const started = await start(await configFor(web));
      const { callback } = await authorize(started, user);
      const err = await oauthError(
        client.authorizationCodeGrant(await configFor(other), callback, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce }),
      );
      expect(err.error).toBe('invalid_grant');
    });

    it('refuses a wrong client secret with 401 invalid_client', async () => {
      const config = await configFor(web, client.ClientSecretBasic('cas_wrong_secret_wrong_secret_wrong_secret_wrong'));
      const started = await start(config);
      const { callback } = await authorize(started, user);
      const err = await oauthError(
        client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce }),
      );
      // The 401 carries a Basic challenge (RFC 6749 §5.2), so openid-client reports the challenge; the body is RFC 6749 JSON.
      const challenge = err as unknown as { status: number; cause: { scheme: string }[]; response: Response };
      expect(challenge.status).toBe(401);
      expect(challenge.cause[0].scheme).toBe('basic');
      expect(((await challenge.response.json()) as { error: string }).error).toBe('invalid_client');
    });

    it('refuses a public client that exchanges its code without the verifier', async () => {
      const config = await configFor(spa, client.None());
      const started = await start(config);
      const { callback } = await authorize(started, user);
      const res = await fetch(`${t.url}/v1/t/${acme.slug}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: CALLBACK, client_id: spa.client_id }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/invalid_request|invalid_grant/);
    });

    it('answers prompt=none without a session with login_required', async () => {
      const config = await configFor(web);
      const started = await start(config, { prompt: 'none' });
      const res = await fetch(local(started.url), { redirect: 'manual' });
      const back = new URL(res.headers.get('location')!);
      const err = await oauthError(client.authorizationCodeGrant(config, back, { pkceCodeVerifier: started.verifier, expectedState: started.state }));
      expect(err.error).toBe('login_required');
    });

    it('never redirects to an unregistered post_logout_redirect_uri', async () => {
      const config = await configFor(web);
      const { tokens, cookie } = await signIn(config);
      const url = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://attacker.example/' });
      const res = await fetch(local(url), { redirect: 'manual', headers: { cookie } });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    });

    it('refuses a disabled user: the pending code no longer exchanges, the session no longer answers', async () => {
      const config = await configFor(web);
      const someone = await member(t, acme, []);
      const first = await signIn(config, someone);
      const started = await start(config);
      const { callback } = await authorize(started, undefined, first.cookie);
      expect((await t.call('POST', `/v1/t/${acme.slug}/users/${someone.id}/disable`, undefined, { auth: acme.admin })).status).toBe(200);
      const err = await oauthError(
        client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce }),
      );
      expect(err.error).toBe('invalid_grant');
      const again = await start(config, { prompt: 'none' });
      const res = await fetch(local(again.url), { redirect: 'manual', headers: { cookie: first.cookie } });
      expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('login_required');
    });

    it('refuses everything for a suspended tenant', async () => {
      const gone = await onboard(t, 'oidc-susp');
      const app = await register(gone, 'confidential');
      const config = await configFor(app, undefined, gone);
      expect((await t.call('POST', `/v1/admin/tenants/${gone.slug}/suspend`)).status).toBe(200);
      const started = await start(config);
      const res = await fetch(local(started.url), { redirect: 'manual' });
      expect(res.status).toBe(403);
      expect(res.headers.get('location')).toBeNull();
      const err = await oauthError(client.clientCredentialsGrant(config));
      expect(err.error).toBeTruthy();
    });
  });
});
