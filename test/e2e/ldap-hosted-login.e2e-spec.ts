import { createHash } from 'node:crypto';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { FederationAppModule } from '../../apps/federation/src/federation-app.module';
import { PEOPLE, SERVICE_DN, SERVICE_PASSWORD, Slapd, startSlapd } from '../support/slapd';
import { eventsOf, login, PASSWORD, Tenant } from './identity-authz-fixture';

const CALLBACK = 'https://app.example.com/cb';
const VERIFIER = 'v'.repeat(50);
const form = (fields: Record<string, string>) => new URLSearchParams(fields);

/**
 * The hosted login page with an LDAP connection (HTTP level, with the page's cookie and CSRF token):
 * an e-mail of the connection's domain gets the directory's password form, whose post goes to the
 * directory's bind and ends in the app's code; a wrong password, a forged form and a connection the
 * app may not use are refused.
 */
describe('hosted login page: LDAP connection', () => {
  let t: TestApp;
  let slapd: Slapd;
  let tenant: Tenant;
  let domain: string;
  let clientId: string;
  let connectionId: string;

  const authorize = (extra: Record<string, string> = {}) => {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: CALLBACK,
      scope: 'openid email',
      state: 's1',
      nonce: 'n1',
      code_challenge: createHash('sha256').update(VERIFIER).digest('base64url'),
      code_challenge_method: 'S256',
      ...extra,
    });
    return fetch(`${t.url}/v1/t/${tenant.slug}/oauth2/authorize?${q}`, { redirect: 'manual' });
  };

  /** The hosted page opened by a browser: its binding cookie, interaction id and CSRF token. */
  async function loginPage() {
    const res = await authorize();
    const cookie = res.headers
      .getSetCookie()
      .find((c) => c.startsWith('credence_binding='))!
      .split(';')[0];
    const html = await (await fetch(new URL(res.headers.get('location')!, t.url), { headers: { cookie } })).text();
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)![1];
    return { cookie, html, interaction: field('interaction'), csrf: field('csrf') };
  }

  const post = (path: string, cookie: string, fields: Record<string, string>) =>
    fetch(`${t.url}/v1/t/${tenant.slug}/login${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form(fields),
    });

  beforeAll(async () => {
    slapd = await startSlapd();
    t = await startTestApp([AuthAppModule, FederationAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '100000' });
    const slug = uniqueSlug('ldaphosted');
    domain = `${slug}.example`;
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, domains: [domain], admin: { email: `admin@${slug}.example`, password: PASSWORD } });
    expect(res.status).toBe(201);
    tenant = { slug, id: res.body.id, schema: `t_${res.body.id.replace(/-/g, '')}`, adminId: res.body.admin.user_id, admin: await login(t, slug, `admin@${slug}.example`) };
    clientId = (await t.call('POST', `/v1/t/${slug}/applications`, { name: 'Web', type: 'public', redirect_uris: [CALLBACK] }, { auth: tenant.admin })).body.client_id;
    await slapd.addUser({ uid: 'ada', password: 'ada-directory-pw', mail: `ada@${domain}`, givenName: 'Ada', sn: 'Lovelace' });
    const created = await t.call(
      'POST',
      `/v1/t/${slug}/connections`,
      {
        type: 'ldap',
        name: 'Corp Directory',
        domains: [domain],
        jit: { enabled: true, default_roles: ['employee'] },
        // The page sends what the user typed (the e-mail): the filter accepts either.
        ldap: {
          url: slapd.ldapUrl,
          start_tls: true,
          ca_certificate: slapd.caPem,
          bind_dn: SERVICE_DN,
          bind_password: SERVICE_PASSWORD,
          user_search_base: PEOPLE,
          user_search_filter: '(|(uid={{username}})(mail={{username}}))',
          timeout_ms: 3000,
        },
      },
      { auth: tenant.admin },
    );
    expect(created.status).toBe(201);
    connectionId = created.body.id;
  });
  afterAll(async () => {
    await t?.close();
    await slapd?.stop();
  });

  it("asks an address of the connection's domain for the directory password, then signs in to the app with a code and an ID token", async () => {
    const page = await loginPage();
    expect(page.html).toContain('Continue with Corp Directory');
    // Home-realm discovery: the password typed on the first page is not used; the directory's form comes instead.
    const discovered = await post('/password', page.cookie, { interaction: page.interaction, csrf: page.csrf, email: `Ada@${domain.toUpperCase()}`, password: 'typed-first' });
    expect(discovered.status).toBe(200);
    const html = await discovered.text();
    expect(html).toContain('Sign in with Corp Directory');
    expect(html).toContain(`action="/v1/t/${tenant.slug}/login/ldap"`);
    expect(html).toContain(`value="${connectionId}"`);
    expect(html).toContain(`value="Ada@${domain.toUpperCase()}"`);
    expect(html).not.toContain('typed-first');
    expect(discovered.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    const signedIn = await post('/ldap', page.cookie, {
      interaction: page.interaction,
      csrf: page.csrf,
      connection: connectionId,
      username: `ada@${domain}`,
      password: 'ada-directory-pw',
    });
    expect(signedIn.status).toBe(303);
    const back = new URL(signedIn.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    expect(back.searchParams.get('state')).toBe('s1');
    expect(signedIn.headers.getSetCookie().some((c) => c.startsWith('credence_session='))).toBe(true);

    const token = await fetch(`${t.url}/v1/t/${tenant.slug}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: CALLBACK, client_id: clientId, code_verifier: VERIFIER }),
    });
    expect(token.status).toBe(200);
    const idToken = JSON.parse(Buffer.from((await token.json()).id_token.split('.')[1], 'base64url').toString('utf8'));
    expect(idToken).toMatchObject({ email: `ada@${domain}`, nonce: 'n1', amr: ['fed'], idp: connectionId, aud: clientId });

    const succeeded = (await eventsOf(t, tenant, 'federation.login.succeeded')).filter((e) => e.data.connection_id === connectionId);
    expect(succeeded).toHaveLength(1);
  });

  it('starts the directory form with the part before the @ when the directory looks users up by uid only', async () => {
    const patch = (filter: string) => t.call('PATCH', `/v1/t/${tenant.slug}/connections/${connectionId}`, { ldap: { user_search_filter: filter } }, { auth: tenant.admin });
    expect((await patch('(uid={{username}})')).status).toBe(200);
    try {
      const page = await loginPage();
      const discovered = await post('/password', page.cookie, { interaction: page.interaction, csrf: page.csrf, email: `Ada@${domain.toUpperCase()}`, password: 'typed-first' });
      const html = await discovered.text();
      expect(html).toContain('Sign in with Corp Directory');
      expect(html).toMatch(/name="username"[^>]*value="Ada"/);
      expect(html).not.toContain(`value="Ada@${domain.toUpperCase()}"`);
      const signedIn = await post('/ldap', page.cookie, {
        interaction: page.interaction,
        csrf: page.csrf,
        connection: connectionId,
        username: 'Ada',
        password: 'ada-directory-pw',
      });
      expect(signedIn.status).toBe(303);
      expect(new URL(signedIn.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    } finally {
      expect((await patch('(|(uid={{username}})(mail={{username}}))')).status).toBe(200);
    }
  });

  it('shows the generic message for a wrong directory password, and keeps the password out of the page', async () => {
    const page = await loginPage();
    const res = await post('/ldap', page.cookie, { interaction: page.interaction, csrf: page.csrf, connection: connectionId, username: 'ada', password: 'Wrong-Secret-1' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('The username or password is not correct.');
    expect(html).not.toContain('Wrong-Secret-1');
    expect(html).toContain('value="ada"');
  });

  it('offers the directory form for the connection button and for connection= at the authorization endpoint', async () => {
    const page = await loginPage();
    const button = await post('/connection', page.cookie, { interaction: page.interaction, csrf: page.csrf, connection: connectionId });
    expect(button.status).toBe(200);
    expect(await button.text()).toContain('Sign in with Corp Directory');

    const direct = await authorize({ connection: connectionId });
    expect(direct.status).toBe(302);
    const to = new URL(direct.headers.get('location')!, t.url);
    expect(to.pathname).toBe(`/v1/t/${tenant.slug}/login/ldap`);
    expect(to.searchParams.get('connection')).toBe(connectionId);
    const cookie = direct.headers
      .getSetCookie()
      .find((c) => c.startsWith('credence_binding='))!
      .split(';')[0];
    const shown = await fetch(to, { headers: { cookie } });
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain('Sign in with Corp Directory');
  });

  it('refuses a forged form (wrong CSRF token) and a connection that is not a directory the app may use, before any bind', async () => {
    const page = await loginPage();
    const failedBefore = (await eventsOf(t, tenant, 'auth.login.failed')).length;
    const forged = await post('/ldap', page.cookie, { interaction: page.interaction, csrf: 'x'.repeat(40), connection: connectionId, username: 'ada', password: 'guess' });
    expect(forged.status).toBe(403);
    const unknown = await post('/ldap', page.cookie, {
      interaction: page.interaction,
      csrf: page.csrf,
      connection: '00000000-0000-4000-8000-000000000000',
      username: 'ada',
      password: 'guess',
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('not available for this application');
    expect((await eventsOf(t, tenant, 'auth.login.failed')).length).toBe(failedBefore);
  });
});
