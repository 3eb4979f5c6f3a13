import * as client from 'openid-client';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { eventsOf, onboard, Tenant } from './identity-authz-fixture';
import { APP_CALLBACK, callCallback, counts, createOidcConnection, failures, relyingApp, startAtCredence } from './oidc-rp-fixture';
import { startOidcIdp, TestOidcIdp } from '../support/oidc-idp';
import { testAppUrls } from '../support/openid-client';

/**
 * The OIDC relying party against oidc-provider, a real OpenID Provider: the whole flow from an app
 * through Credence's /oauth2/authorize?connection= to the IdP, back to the callback (code exchange,
 * ID token and userinfo checked) and on to the app's ID token; JIT and linking through FederatedSignIn;
 * and the attacks on the callback itself.
 */
describe('OIDC relying party (oidc-provider)', () => {
  let t: TestApp;
  let acme: Tenant;
  let other: Tenant;
  let idp: TestOidcIdp;
  let conn: { id: string; oidc: { redirect_uri: string } };
  let app: client.Configuration;

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    idp = await startOidcIdp();
    acme = await onboard(t, 'oidc');
    other = await onboard(t, 'oidco');
    conn = await createOidcConnection(t, acme, { issuer: idp.issuer, client_id: 'credence-acme', client_secret: 'acme-client-secret-0123456789' });
    await idp.addClient({
      client_id: 'credence-acme',
      client_secret: 'acme-client-secret-0123456789',
      redirect_uris: [conn.oidc.redirect_uri],
      grant_types: ['authorization_code'],
    });
    app = await relyingApp(t, acme);
  });

  afterAll(async () => {
    await idp?.close();
    await t?.close();
  });

  async function signIn(login: string, connectionId = conn.id, tenant = acme, config = app) {
    const started = await startAtCredence(t, config, connectionId);
    expect(started.idpUrl.origin).toBe(idp.issuer);
    const back = await idp.signIn(started.idpUrl.href, login);
    const res = await callCallback(t, back, started.binding);
    return { started, back, res, tenant };
  }

  async function tokensFrom(res: Response, started: { verifier: string; state: string; nonce: string }) {
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(location.href.startsWith(APP_CALLBACK)).toBe(true);
    return client.authorizationCodeGrant(app, location, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
      idTokenExpected: true,
    });
  }

  it('sends the browser to the IdP with PKCE S256, state, nonce and the connection’s redirect_uri', async () => {
    const started = await startAtCredence(t, app, conn.id);
    const q = started.idpUrl.searchParams;
    expect(started.idpUrl.pathname).toBe('/auth');
    expect(q.get('redirect_uri')).toBe(conn.oidc.redirect_uri);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).not.toBe(started.state);
    expect(q.get('scope')).toBe('openid email profile');
  });

  it('signs a new user in end to end: JIT from the ID token and userinfo, amr fed and idp in the app’s ID token', async () => {
    const email = `ada.${Date.now()}@jit.example`;
    const before = await counts(t, acme);
    const { started, back, res } = await signIn(email);
    expect(back.searchParams.get('iss')).toBe(idp.issuer);
    const tokens = await tokensFrom(res, started);
    const claims = tokens.claims()!;
    expect(claims.amr).toEqual(['fed']);
    expect(claims.idp).toBe(conn.id);
    const [user] = await t.dataSource.query(
      `SELECT id, email, attributes->>'given_name' AS given_name, attributes->>'family_name' AS family_name FROM "${acme.schema}".users WHERE email = $1`,
      [email],
    );
    expect(user).toMatchObject({ email, given_name: 'Ada', family_name: 'Lovelace' });
    expect(claims.sub).toBe(user.id);
    const [link] = await t.dataSource.query(`SELECT subject FROM "${acme.schema}".federated_identities WHERE connection_id = $1 AND user_id = $2`, [conn.id, user.id]);
    expect(link.subject).toBe(email);
    expect(await counts(t, acme)).toMatchObject({ users: before.users + 1, links: before.links + 1 });
    const succeeded = (await eventsOf(t, acme, 'federation.login.succeeded')).at(-1)!;
    expect(succeeded.data).toMatchObject({ connection_id: conn.id, connection_type: 'oidc', user_id: user.id, jit_created: true });

    // The second sign-in of the same subject finds the link: no new user.
    const again = await signIn(email);
    const second = await tokensFrom(again.res, again.started);
    expect(second.claims()!.sub).toBe(user.id);
    expect((await counts(t, acme)).users).toBe(before.users + 1);
  });

  it('refuses a replayed callback: the state is taken once, no second code', async () => {
    const { started, back, res } = await signIn(`replay.${Date.now()}@jit.example`);
    expect(res.status).toBe(303);
    const before = await counts(t, acme);
    const replay = await callCallback(t, back, started.binding);
    expect(replay.status).toBe(400);
    expect(replay.headers.get('location')).toBeNull();
    expect((await failures(t, acme)).at(-1)).toBe('state_mismatch');
    expect(await counts(t, acme)).toEqual(before);
  });

  it('refuses a callback without the browser’s binding cookie (login CSRF): nothing created', async () => {
    const started = await startAtCredence(t, app, conn.id);
    const back = await idp.signIn(started.idpUrl.href, `csrf.${Date.now()}@jit.example`);
    const before = await counts(t, acme);
    const res = await callCallback(t, back);
    expect(res.status).toBe(400);
    expect((await failures(t, acme)).at(-1)).toBe('state_mismatch');
    expect(await counts(t, acme)).toEqual(before);
    // Another browser's binding cookie does no better.
    const other = await startAtCredence(t, app, conn.id);
    const back2 = await idp.signIn(started.idpUrl.href.replace(started.idpUrl.searchParams.get('state')!, other.idpUrl.searchParams.get('state')!), 'x@jit.example');
    expect((await callCallback(t, back2, started.binding)).status).toBe(400);
    expect(await counts(t, acme)).toEqual(before);
  });

  it('refuses the callback at another tenant’s connection id: no such page there, nothing recorded', async () => {
    const started = await startAtCredence(t, app, conn.id);
    const back = await idp.signIn(started.idpUrl.href, `cross.${Date.now()}@jit.example`);
    const crossed = new URL(back.href.replace(`/v1/t/${acme.slug}/`, `/v1/t/${other.slug}/`));
    const before = { acme: await counts(t, acme), other: await counts(t, other) };
    const res = await callCallback(t, crossed, started.binding);
    expect(res.status).toBe(404);
    expect(await failures(t, other)).toEqual([]);
    expect({ acme: await counts(t, acme), other: await counts(t, other) }).toEqual(before);
    // The state was not spent: the right callback still signs in.
    expect((await callCallback(t, back, started.binding)).status).toBe(303);
  });

  it('links an existing local user through a verified domain, and refuses account_exists otherwise', async () => {
    await t.call('PATCH', `/v1/admin/tenants/${acme.slug}`, { domains: ['linked.example'] });
    const linked = await createOidcConnection(
      t,
      acme,
      { issuer: idp.issuer, client_id: 'credence-acme-linked', client_secret: 'linked-client-secret-0123456789' },
      { domains: ['linked.example'] },
    );
    await idp.addClient({
      client_id: 'credence-acme-linked',
      client_secret: 'linked-client-secret-0123456789',
      redirect_uris: [linked.oidc.redirect_uri],
      grant_types: ['authorization_code'],
    });
    const email = `bob.${Date.now()}@linked.example`;
    const created = await t.call('POST', `/v1/t/${acme.slug}/users`, { email, password: 'a long enough password' }, { auth: acme.admin });
    expect(created.status).toBe(201);
    const { started, res } = await signIn(email, linked.id);
    expect((await tokensFrom(res, started)).claims()!.sub).toBe(created.body.id);

    // The same e-mail at the first connection (no verified domain) is refused.
    const before = await counts(t, acme);
    const refused = await signIn(email);
    expect(refused.res.status).toBe(403);
    expect((await failures(t, acme)).at(-1)).toBe('account_exists');
    expect(await counts(t, acme)).toEqual(before);
  });

  it('home-realm discovery: an address of the connection’s domain on the hosted page goes to the OIDC IdP, and signs in', async () => {
    expect((await t.call('PATCH', `/v1/admin/tenants/${acme.slug}`, { domains: ['linked.example', 'hrd.example'] })).status).toBe(200);
    const hrd = await createOidcConnection(
      t,
      acme,
      { issuer: idp.issuer, client_id: 'credence-acme-hrd', client_secret: 'hrd-client-secret-0123456789' },
      { name: 'Acme HRD', domains: ['hrd.example'] },
    );
    await idp.addClient({
      client_id: 'credence-acme-hrd',
      client_secret: 'hrd-client-secret-0123456789',
      redirect_uris: [hrd.oidc.redirect_uri],
      grant_types: ['authorization_code'],
    });
    const { local } = testAppUrls(() => t);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(app, {
      redirect_uri: APP_CALLBACK,
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'hrd-state',
      nonce: 'hrd-nonce',
    });
    const authorize = await fetch(local(url), { redirect: 'manual' });
    const binding = authorize.headers
      .getSetCookie()
      .find((c) => c.startsWith('credence_binding='))!
      .split(';')[0];
    const page = await (await fetch(new URL(authorize.headers.get('location')!, t.url), { headers: { cookie: binding } })).text();
    expect(page).toContain('Continue with Acme HRD');
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(page)![1];
    const email = `grace.${Date.now()}@hrd.example`;
    const submitted = await fetch(`${t.url}/v1/t/${acme.slug}/login/password`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: binding, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ interaction: field('interaction'), csrf: field('csrf'), email, password: '' }),
    });
    expect(submitted.status).toBe(303);
    const atIdp = new URL(submitted.headers.get('location')!);
    expect(atIdp.origin).toBe(idp.issuer);
    expect(atIdp.searchParams.get('redirect_uri')).toBe(hrd.oidc.redirect_uri);
    const res = await callCallback(t, await idp.signIn(atIdp.href, email), binding);
    const tokens = await tokensFrom(res, { verifier, state: 'hrd-state', nonce: 'hrd-nonce' });
    expect(tokens.claims()!.idp).toBe(hrd.id);
    expect(tokens.claims()!.email).toBe(email);
  });

  it('authenticates at the token endpoint with client_secret_post', async () => {
    const post = await createOidcConnection(t, acme, {
      issuer: idp.issuer,
      client_id: 'credence-acme-post',
      client_secret: 'post-client-secret-0123456789',
      token_endpoint_auth_method: 'client_secret_post',
    });
    await idp.addClient({
      client_id: 'credence-acme-post',
      client_secret: 'post-client-secret-0123456789',
      redirect_uris: [post.oidc.redirect_uri],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
    });
    const { started, res } = await signIn(`post.${Date.now()}@jit.example`, post.id);
    expect((await tokensFrom(res, started)).claims()!.amr).toEqual(['fed']);
  });

  it('authenticates with private_key_jwt: Credence makes the key, publishes its public half, and signs its client assertions', async () => {
    const res = await t.call(
      'POST',
      `/v1/t/${acme.slug}/connections`,
      {
        type: 'oidc',
        name: 'Key auth',
        jit: { enabled: true, default_roles: [] },
        oidc: { issuer: idp.issuer, client_id: 'credence-acme-pkjwt', token_endpoint_auth_method: 'private_key_jwt' },
      },
      { auth: acme.admin },
    );
    expect(res.status).toBe(201);
    const jwk = res.body.oidc.client_public_jwk;
    expect(jwk).toEqual({ kty: 'RSA', n: expect.any(String), e: 'AQAB', kid: expect.any(String), alg: 'RS256', use: 'sig' });
    expect(res.body.oidc.jwks_uri).toBe(`${t.config.CREDENCE_BASE_URL}/v1/t/${acme.slug}/connections/${res.body.id}/oidc/jwks`);
    expect(JSON.stringify(res.body)).not.toMatch(/PRIVATE KEY|"d":/);
    const published = await fetch(`${t.url}/v1/t/${acme.slug}/connections/${res.body.id}/oidc/jwks`);
    expect(await published.json()).toEqual({ keys: [jwk] });
    const tested = await t.call('POST', `/v1/t/${acme.slug}/connections/${res.body.id}/test`, undefined, { auth: acme.admin });
    expect(tested.body).toMatchObject({
      ok: true,
      checks: [
        { name: 'discovery', ok: true },
        { name: 'secrets', ok: true },
      ],
    });
    await idp.addClient({
      client_id: 'credence-acme-pkjwt',
      redirect_uris: [res.body.oidc.redirect_uri],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'RS256',
      jwks: { keys: [jwk] },
    });
    const { started, res: callback } = await signIn(`pkjwt.${Date.now()}@jit.example`, res.body.id);
    expect((await tokensFrom(callback, started)).claims()!.amr).toEqual(['fed']);

    // A secret method needs a secret.
    const noSecret = await t.call(
      'POST',
      `/v1/t/${acme.slug}/connections`,
      { type: 'oidc', name: 'No secret', oidc: { issuer: idp.issuer, client_id: 'x' } },
      { auth: acme.admin },
    );
    expect(noSecret.status).toBe(400);
    expect(noSecret.body.error.details).toEqual([{ field: 'oidc.client_secret', issue: 'oidc.client_secret is required with client_secret_basic' }]);
  });
});
