import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { FederationAppModule } from '../../apps/federation/src/federation-app.module';
import { arriveAt, launchBrowser, TestBrowser } from '../support/browser';
import { freePort, RunningExample, startExample } from '../support/example-apps';
import { eventsOf, login, PASSWORD, Tenant } from './identity-authz-fixture';

/**
 * The README's SAML walk-through in a real browser: the example web app (openid-client) starts the
 * sign-in, the hosted page sends an address of the connection's domain to the example SAML IdP
 * (samlify) without a password, the IdP posts its signed Response to the ACS, and the app gets an ID
 * token with amr fed and the connection as idp. The user is created on the way (JIT).
 */
describe('SAML sign-in in a real browser, through the example IdP', () => {
  let t: TestApp;
  let tenant: Tenant;
  let browser: TestBrowser;
  const running: RunningExample[] = [];
  let appUrl: string;
  let connectionId: string;
  let idpState: string;

  beforeAll(async () => {
    const port = await freePort();
    t = await startTestApp([AuthAppModule, FederationAppModule], { PORT: String(port), CREDENCE_BASE_URL: `http://127.0.0.1:${port}` });
    const slug = uniqueSlug('saml-browser');
    const onboarded = await t.call('POST', '/v1/admin/tenants', {
      slug,
      name: 'Acme Corporation',
      domains: ['acme-saml.example'],
      admin: { email: `admin@${slug}.example`, password: PASSWORD },
    });
    expect(onboarded.status).toBe(201);
    tenant = {
      slug,
      id: onboarded.body.id,
      schema: `t_${onboarded.body.id.replace(/-/g, '')}`,
      adminId: onboarded.body.admin.user_id,
      admin: await login(t, slug, `admin@${slug}.example`),
    };

    const idpPort = await freePort();
    idpState = mkdtempSync(join(tmpdir(), 'credence-saml-idp-'));
    running.push(
      await startExample('examples/saml-idp/main.ts', { PORT: String(idpPort), IDP_URL: `http://127.0.0.1:${idpPort}`, IDP_STATE_DIR: idpState }, 'example SAML IdP on'),
    );
    const connection = await t.call(
      'POST',
      `/v1/t/${slug}/connections`,
      {
        type: 'saml',
        name: 'Example IdP',
        domains: ['acme-saml.example'],
        jit: { enabled: true, default_roles: ['employee'] },
        saml: { idp_metadata_url: `http://127.0.0.1:${idpPort}/metadata` },
      },
      { auth: tenant.admin },
    );
    expect(connection.status).toBe(201);
    connectionId = connection.body.id;

    const appPort = await freePort();
    appUrl = `http://127.0.0.1:${appPort}`;
    const app = await t.call(
      'POST',
      `/v1/t/${slug}/applications`,
      { name: 'Example web app', type: 'confidential', redirect_uris: [`${appUrl}/callback`], post_logout_redirect_uris: [`${appUrl}/`] },
      { auth: tenant.admin },
    );
    expect(app.status).toBe(201);
    running.push(
      await startExample(
        'examples/oidc-web-app/main.ts',
        { CREDENCE_ISSUER: `${t.url}/v1/t/${slug}`, CLIENT_ID: app.body.client_id, CLIENT_SECRET: app.body.client_secret, PORT: String(appPort), APP_URL: appUrl },
        'example app on',
      ),
    );
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const r of running) r.stop();
    rmSync(idpState, { recursive: true, force: true });
    await t?.close();
  });

  it('signs a new employee in through the IdP found by their e-mail domain', async () => {
    const page = await browser.newPage();
    await page.goto(`${appUrl}/login`);
    await arriveAt(page, new RegExp(`/v1/t/${tenant.slug}/login`));
    await page
      .getByLabel(/e-?mail/i)
      .first()
      .fill('grace@acme-saml.example');
    await page.getByRole('button', { name: /^sign in$/i }).click();

    // The example IdP: who are you (no password there), then the signed Response goes to Credence's ACS.
    await arriveAt(page, /\/sso\?SAMLRequest=/);
    await page.fill('input[name=email]', 'grace@acme-saml.example');
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.getByRole('button', { name: /continue to credence/i }).click();

    await arriveAt(page, `${appUrl}/`);
    const body = (await page.textContent('body'))!;
    expect(body).toContain('Signed in as grace@acme-saml.example');
    expect(body).toContain('["fed"]');
    expect(body).toContain(connectionId);

    const succeeded = await eventsOf(t, tenant, 'federation.login.succeeded');
    expect(succeeded.map((e) => e.data)).toEqual([expect.objectContaining({ connection_id: connectionId, connection_type: 'saml', jit_created: true })]);
  });
});
