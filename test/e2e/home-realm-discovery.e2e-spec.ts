import { createHash } from 'node:crypto';
import { newSpCredential } from '@credence/federation';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { FederationAppModule } from '../../apps/federation/src/federation-app.module';
import { login, PASSWORD } from './identity-authz-fixture';

const CALLBACK = 'https://app.example.com/cb';
const IDP_SSO = 'https://idp.corp.example/sso';

/**
 * The OpenID Provider's pages with a SAML connection bound: the hosted page offers its button, an
 * address of its domain goes to the IdP without a password (home-realm discovery), and the app can
 * name the connection or the domain at the authorization endpoint.
 */
describe('home-realm discovery and connection hints', () => {
  let t: TestApp;
  let slug: string;
  let admin: string;
  let clientId: string;
  let connectionId: string;

  const authorize = (extra: Record<string, string> = {}) => {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: CALLBACK,
      scope: 'openid',
      state: 's1',
      code_challenge: createHash('sha256').update('v'.repeat(50)).digest('base64url'),
      code_challenge_method: 'S256',
      ...extra,
    });
    return fetch(`${t.url}/v1/t/${slug}/oauth2/authorize?${q}`, { redirect: 'manual' });
  };

  /** Opens the hosted page: its cookie, interaction id and CSRF token. */
  async function loginPage() {
    const res = await authorize();
    const cookie = res.headers
      .getSetCookie()
      .find((c) => c.startsWith('credence_binding='))!
      .split(';')[0];
    const page = await fetch(new URL(res.headers.get('location')!, t.url), { headers: { cookie } });
    const html = await page.text();
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)![1];
    return { cookie, html, csp: page.headers.get('content-security-policy')!, interaction: field('interaction'), csrf: field('csrf') };
  }

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule, FederationAppModule]);
    slug = uniqueSlug('hrd');
    const onboarded = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, domains: ['corp.example'], admin: { email: `admin@${slug}.example`, password: PASSWORD } });
    expect(onboarded.status).toBe(201);
    admin = await login(t, slug, `admin@${slug}.example`);
    clientId = (await t.call('POST', `/v1/t/${slug}/applications`, { name: 'Web', type: 'public', redirect_uris: [CALLBACK] }, { auth: admin })).body.client_id;
    const idp = await newSpCredential('Corp IdP', 'signing');
    const created = await t.call(
      'POST',
      `/v1/t/${slug}/connections`,
      {
        type: 'saml',
        name: 'Corp SSO',
        domains: ['corp.example'],
        saml: { idp_entity_id: 'https://idp.corp.example', idp_sso_url: IDP_SSO, idp_certificates: [idp.certificatePem] },
      },
      { auth: admin },
    );
    expect(created.status).toBe(201);
    connectionId = created.body.id;
  });
  afterAll(() => t.close());

  it("offers the connection's button, and puts no form-action in the page's CSP (Chromium would block the IdP's own redirects)", async () => {
    const page = await loginPage();
    expect(page.html).toContain('Continue with Corp SSO');
    expect(page.csp).toContain("script-src 'none'");
    expect(page.csp).not.toContain('form-action');
    expect(page.html).not.toMatch(/id="password"[^>]*required/);
  });

  it('sends an address of the connection domain to the IdP without asking for a password', async () => {
    const page = await loginPage();
    const res = await fetch(`${t.url}/v1/t/${slug}/login/password`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: page.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ interaction: page.interaction, csrf: page.csrf, email: 'Grace@CORP.example', password: '' }),
    });
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(IDP_SSO);
    expect(to.searchParams.get('SAMLRequest')).toBeTruthy();
    expect(to.searchParams.get('Signature')).toBeTruthy();
  });

  it('asks again, with the generic message, for another domain without a password', async () => {
    const page = await loginPage();
    const res = await fetch(`${t.url}/v1/t/${slug}/login/password`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: page.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ interaction: page.interaction, csrf: page.csrf, email: 'someone@elsewhere.example', password: '' }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('The e-mail or password is not correct.');
  });

  it('goes straight to the IdP for connection= and domain_hint=, and ignores a domain hint nobody owns', async () => {
    const hints: Record<string, string>[] = [{ connection: connectionId }, { domain_hint: 'corp.example' }];
    for (const extra of hints) {
      const res = await authorize(extra);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')!.startsWith(`${IDP_SSO}?`)).toBe(true);
    }
    const unknown = await authorize({ domain_hint: 'nobody.example' });
    expect(new URL(unknown.headers.get('location')!, t.url).pathname).toBe(`/v1/t/${slug}/login`);
  });

  it('stops offering a disabled connection', async () => {
    expect((await t.call('PATCH', `/v1/t/${slug}/connections/${connectionId}`, { enabled: false }, { auth: admin })).status).toBe(200);
    const page = await loginPage();
    expect(page.html).not.toContain('Corp SSO');
    const res = await authorize({ connection: connectionId });
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
  });
});
