import * as client from 'openid-client';
import { createSign } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { samlSpUrls } from '@credence/federation';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { eventsOf, onboard, Tenant } from './identity-authz-fixture';
import { craftResponse, IDP_ENTITY_ID, idOf, insertSamlConnection, signElement, startTestIdp, TestIdp } from '../support/saml-idp';
import { testAppUrls, confidentialRelyingParty } from '../support/openid-client';

const CALLBACK = 'https://rp.example.com/callback';
const INITIATE = 'https://rp.example.com/login';
const AFTER_LOGOUT = 'https://rp.example.com/bye';
const TARGET = 'https://rp.example.com/dashboard';

/**
 * The two SAML gaps of issue 12 against samlify as the IdP: IdP-initiated sign-in through OIDC Core §4
 * (a browser session and the app's initiate_login_uri, then the app's own code flow), and single
 * logout on the POST binding and started by /oauth2/logout.
 */
describe('SAML IdP-initiated sign-in and single logout', () => {
  let t: TestApp;
  let acme: Tenant;
  let idp: TestIdp;
  /** Allows IdP-initiated sign-in, to `app`. */
  let open: { id: string };
  /** Does not. */
  let closed: { id: string };
  let app: { id: string; client_id: string; client_secret: string };
  let config: client.Configuration;

  const { base, local } = testAppUrls(() => t);
  const urls = (id: string) => samlSpUrls(base(), acme.slug, id);
  const metadata = async (id: string) => (await fetch(local(urls(id).metadata))).text();
  const cookieOf = (res: Response, name: string) =>
    res.headers
      .getSetCookie()
      .find((c) => c.startsWith(`${name}=`))
      ?.split(';')[0];
  const form = (url: string, fields: Record<string, string>) =>
    fetch(local(url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  const failures = async () => (await eventsOf(t, acme, 'federation.login.failed')).map((e) => e.data.reason);
  const count = async (table: string) => (await t.dataSource.query(`SELECT count(*)::int AS n FROM "${acme.schema}".${table}`))[0].n as number;

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    acme = await onboard(t, 'samlx');
    idp = await startTestIdp();
    const res = await t.call(
      'POST',
      `/v1/t/${acme.slug}/applications`,
      { name: 'RP', type: 'confidential', redirect_uris: [CALLBACK], post_logout_redirect_uris: [AFTER_LOGOUT], initiate_login_uri: INITIATE },
      { auth: acme.admin },
    );
    expect(res.status).toBe(201);
    expect(res.body.initiate_login_uri).toBe(INITIATE);
    app = res.body;
    open = await insertSamlConnection(t, acme, idp, { allow_idp_initiated: true, idp_initiated_client_id: app.client_id, idp_initiated_target_link_uri: TARGET });
    closed = await insertSamlConnection(t, acme, idp);
    config = await confidentialRelyingParty(t, acme.slug, app);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A LogoutResponse on the Redirect binding, signed with the IdP key, as a confused or hostile IdP sends it. */
  function signedLogoutResponse(inResponseTo: string, relayState: string): string {
    const xml =
      `<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x${Date.now()}" Version="2.0"` +
      ` IssueInstant="${new Date().toISOString()}" InResponseTo="${inResponseTo}"><saml:Issuer>${IDP_ENTITY_ID}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>`;
    let query = `SAMLResponse=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}&RelayState=${encodeURIComponent(relayState)}`;
    query += `&SigAlg=${encodeURIComponent('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')}`;
    return `${query}&Signature=${encodeURIComponent(createSign('RSA-SHA256').update(query).sign(idp.key, 'base64'))}`;
  }

  /** The app's own authorization request (code flow with PKCE), answered from the browser session in `cookie`. */
  async function codeFlow(cookie: string, extra: Record<string, string> = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      ...extra,
    });
    const res = await fetch(local(url), { redirect: 'manual', headers: { cookie } });
    const location = new URL(res.headers.get('location')!);
    expect(location.href.startsWith(CALLBACK)).toBe(true);
    return client.authorizationCodeGrant(config, location, { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true });
  }

  /** SP-initiated sign-in at `connection` through samlify: the session cookie and the tokens. */
  async function signInThrough(connection: string, email: string) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      connection,
    });
    const start = await fetch(local(url), { redirect: 'manual' });
    const binding = cookieOf(start, 'credence_binding')!;
    const answer = await idp.respond(start.headers.get('location')!, await metadata(connection), email);
    const acs = await form(urls(connection).acs, { SAMLResponse: answer.SAMLResponse });
    const cont = await fetch(local(acs.headers.get('location')!), { redirect: 'manual', headers: { cookie: binding } });
    expect(cont.status).toBe(303);
    const tokens = await client.authorizationCodeGrant(config, new URL(cont.headers.get('location')!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      idTokenExpected: true,
    });
    return { cookie: cookieOf(cont, 'credence_session')!, tokens };
  }

  describe('applications: initiate_login_uri', () => {
    const api = (method: string, path: string, body?: unknown) => t.call(method, `/v1/t/${acme.slug}/applications${path}`, body, { auth: acme.admin });

    it('is optional (null), settable by PATCH, clearable with null, and in the events', async () => {
      const created = await api('POST', '', { name: 'Plain', type: 'public', redirect_uris: [CALLBACK] });
      expect(created.body.initiate_login_uri).toBeNull();
      const set = await api('PATCH', `/${created.body.id}`, { initiate_login_uri: 'http://localhost:3000/login' });
      expect([set.status, set.body.initiate_login_uri]).toEqual([200, 'http://localhost:3000/login']);
      const cleared = await api('PATCH', `/${created.body.id}`, { initiate_login_uri: null });
      expect(cleared.body.initiate_login_uri).toBeNull();
      const events = (await eventsOf(t, acme)).filter((e) => e.data.application_id === created.body.id);
      expect(events.map((e) => [e.type, e.data.initiate_login_uri, e.data.changed])).toEqual([
        ['application.created', null, undefined],
        ['application.updated', 'http://localhost:3000/login', ['initiate_login_uri']],
        ['application.updated', null, ['initiate_login_uri']],
      ]);
    });

    it.each([
      ['http on a public host', 'http://rp.example.com/login'],
      ['a private-use scheme', 'com.example.app:/login'],
      ['a fragment', 'https://rp.example.com/login#x'],
      ['not normal form', 'https://RP.example.com/login'],
      ['a NUL', 'https://rp.example.com/\u0000'],
      ['a wildcard', 'https://*.example.com/login'],
    ])('refuses %s', async (_name, uri) => {
      const res = await api('POST', '', { name: 'Bad', type: 'confidential', redirect_uris: [CALLBACK], initiate_login_uri: uri });
      expect([res.status, res.body.error.code, res.body.error.details?.[0]?.field]).toEqual([400, 'validation.failed', 'initiate_login_uri']);
    });

    it('refuses a wrong type and a huge value', async () => {
      for (const value of [42, ['https://rp.example.com/login'], `https://rp.example.com/${'a'.repeat(3000)}`]) {
        const res = await api('POST', '', { name: 'Bad', type: 'confidential', redirect_uris: [CALLBACK], initiate_login_uri: value });
        expect([res.status, res.body.error.code]).toEqual([400, 'validation.failed']);
      }
    });
  });

  describe('IdP-initiated sign-in', () => {
    it('signs in to Credence, sends the browser to initiate_login_uri (RelayState ignored); the app then gets its code by prompt=none', async () => {
      const email = 'unsolicited@corp.example';
      const SAMLResponse = await idp.unsolicited(await metadata(open.id), email);
      const acs = await form(urls(open.id).acs, { SAMLResponse, RelayState: 'https://evil.example/steal' });
      expect(acs.status).toBe(303);
      // No binding cookie: there is no interaction to bind to.
      const cont = await fetch(local(acs.headers.get('location')!), { redirect: 'manual' });
      expect(cont.status).toBe(303);
      const location = new URL(cont.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe(INITIATE);
      expect(Object.fromEntries(location.searchParams)).toEqual({ iss: `${base()}/v1/t/${acme.slug}`, target_link_uri: TARGET });
      expect(cont.headers.get('location')).not.toContain('evil');
      const session = cookieOf(cont, 'credence_session');
      expect(session).toMatch(/^credence_session=[A-Za-z0-9_-]{43}$/);
      // No code was minted: the app asks for one itself.
      expect(location.searchParams.has('code')).toBe(false);

      const logins = await eventsOf(t, acme, 'auth.login.succeeded');
      expect(logins.at(-1)!.data).toMatchObject({ client_id: app.client_id, idp: open.id, auth_method: 'saml' });

      const tokens = await codeFlow(session!, { prompt: 'none' });
      const claims = tokens.claims()!;
      expect(claims).toMatchObject({ email, idp: open.id, amr: ['fed'] });
    });

    it('takes a crafted unsolicited Response without any InResponseTo attribute', async () => {
      const xml = craftResponse({ acsUrl: urls(open.id).acs, spEntityId: urls(open.id).metadata, nameId: 'crafted-unsolicited@corp.example' });
      const signed = signElement(xml, idOf(xml, 'Assertion'), idp.key, idp.cert);
      expect(signed).not.toContain('InResponseTo');
      const acs = await form(urls(open.id).acs, { SAMLResponse: Buffer.from(signed).toString('base64') });
      const cont = await fetch(local(acs.headers.get('location')!), { redirect: 'manual' });
      expect(cont.headers.get('location')!.startsWith(`${INITIATE}?iss=`)).toBe(true);
    });

    it('refuses the same unsolicited assertion twice (replay)', async () => {
      const SAMLResponse = await idp.unsolicited(await metadata(open.id), 'replayed-unsolicited@corp.example');
      expect((await form(urls(open.id).acs, { SAMLResponse })).status).toBe(303);
      const before = (await failures()).length;
      const again = await form(urls(open.id).acs, { SAMLResponse });
      expect(again.status).toBe(400);
      expect(again.headers.get('location')).toBeNull();
      expect((await failures()).slice(before)).toEqual(['replayed']);
    });

    it('refuses it when the connection does not allow it: no user, no session', async () => {
      const [users, sessions, before] = [await count('users'), await count('browser_sessions'), (await failures()).length];
      const SAMLResponse = await idp.unsolicited(await metadata(closed.id), 'not-allowed@corp.example');
      const res = await form(urls(closed.id).acs, { SAMLResponse, RelayState: 'https://evil.example/' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect((await failures()).slice(before)).toEqual(['idp_initiated_refused']);
      expect([await count('users'), await count('browser_sessions')]).toEqual([users, sessions]);
    });

    it('refuses it when the target application has no initiate_login_uri: no user, no session', async () => {
      const bare = await t.call('POST', `/v1/t/${acme.slug}/applications`, { name: 'Bare', type: 'confidential', redirect_uris: [CALLBACK] }, { auth: acme.admin });
      const conn = await insertSamlConnection(t, acme, idp, { allow_idp_initiated: true, idp_initiated_client_id: bare.body.client_id });
      const [users, sessions, before] = [await count('users'), await count('browser_sessions'), (await failures()).length];
      const SAMLResponse = await idp.unsolicited(await metadata(conn.id), 'no-initiate@corp.example');
      const acs = await form(urls(conn.id).acs, { SAMLResponse });
      expect(acs.status).toBe(303);
      const cont = await fetch(local(acs.headers.get('location')!), { redirect: 'manual' });
      expect(cont.status).toBe(400);
      expect(cont.headers.get('location')).toBeNull();
      expect(cookieOf(cont, 'credence_session')).toBeUndefined();
      expect((await failures()).slice(before)).toEqual(['idp_initiated_refused']);
      expect([await count('users'), await count('browser_sessions')]).toEqual([users, sessions]);
    });
  });

  describe('single logout', () => {
    const sessionStatus = async (cookie: string) => {
      const rows = await t.dataSource.query(`SELECT status FROM "${acme.schema}".browser_sessions WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, [cookie.split('=')[1]]);
      return rows[0]?.status;
    };

    it('an IdP LogoutRequest on the POST binding ends the sessions and answers a signed LogoutResponse; replayed, it is refused', async () => {
      const { cookie } = await signInThrough(closed.id, 'slo-post@corp.example');
      expect(await sessionStatus(cookie)).toBe('active');
      const request = await idp.logoutRequestPost(await metadata(closed.id), 'slo-post@corp.example', 'idp-relay');
      const res = await form(urls(closed.id).slo, { SAMLRequest: request.SAMLRequest, RelayState: 'idp-relay' });
      expect(res.status).toBe(303);
      const back = new URL(res.headers.get('location')!);
      expect(back.origin + back.pathname).toBe('https://idp.test/slo');
      expect(back.searchParams.get('RelayState')).toBe('idp-relay');
      const xml = inflateRawSync(Buffer.from(back.searchParams.get('SAMLResponse')!, 'base64')).toString();
      expect(xml).toContain(`InResponseTo="${request.id}"`);
      expect(back.searchParams.get('Signature')).toBeTruthy();
      expect(await sessionStatus(cookie)).toBe('ended');

      const again = await form(urls(closed.id).slo, { SAMLRequest: request.SAMLRequest, RelayState: 'idp-relay' });
      expect(again.status).toBe(400);
    });

    it('refuses a POST LogoutRequest that is unsigned, signed by another key, altered, or too large', async () => {
      const { cookie } = await signInThrough(closed.id, 'slo-hostile@corp.example');
      const meta = await metadata(closed.id);
      const signed = Buffer.from((await idp.logoutRequestPost(meta, 'slo-hostile@corp.example')).SAMLRequest, 'base64').toString();
      const unsigned = signed.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
      expect(unsigned).not.toBe(signed);
      const other = await startTestIdp();
      const foreign = (await other.logoutRequestPost(meta, 'slo-hostile@corp.example')).SAMLRequest;
      const altered = signed.replace('slo-hostile@corp.example', 'someone-else@corp.example');
      for (const body of [Buffer.from(unsigned).toString('base64'), foreign, Buffer.from(altered).toString('base64'), '<not base64>', '']) {
        const res = await form(urls(closed.id).slo, { SAMLRequest: body });
        expect([res.status, res.headers.get('location')]).toEqual([400, null]);
      }
      const huge = await form(urls(closed.id).slo, { SAMLRequest: 'A'.repeat(300 * 1024) });
      expect(huge.status).toBe(413);
      expect(await sessionStatus(cookie)).toBe('active');
    });

    it('SP-initiated from /oauth2/logout: the Credence session ends first, samlify gets a signed LogoutRequest for the NameID, and its LogoutResponse brings the browser back once', async () => {
      const email = 'sp-slo@corp.example';
      const { cookie, tokens } = await signInThrough(closed.id, email);
      const logout = new URL(`${base()}/v1/t/${acme.slug}/oauth2/logout`);
      logout.search = new URLSearchParams({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: AFTER_LOGOUT, state: 'st-1' }).toString();
      const res = await fetch(local(logout), { redirect: 'manual', headers: { cookie } });
      expect(res.status).toBe(302);
      const toIdp = res.headers.get('location')!;
      expect(toIdp.startsWith('https://idp.test/slo?SAMLRequest=')).toBe(true);
      // Ended before the browser left: the IdP never has to answer.
      expect(await sessionStatus(cookie)).toBe('ended');
      // The app's tokens from that session are gone too.
      await expect(client.fetchUserInfo(config, tokens.access_token, client.skipSubjectCheck)).rejects.toBeDefined();

      const answer = await idp.answerLogout(toIdp, await metadata(closed.id));
      expect(answer.nameId).toBe(email);
      expect(answer.nameIdFormat).toBe('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress');
      expect(answer.relayState).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // samlify addresses the SP's SLO from its metadata.
      expect(answer.responseUrl.startsWith(`${urls(closed.id).slo}?SAMLResponse=`)).toBe(true);
      const back = await fetch(local(answer.responseUrl), { redirect: 'manual' });
      expect(back.status).toBe(303);
      expect(back.headers.get('location')).toBe(`${AFTER_LOGOUT}?state=st-1`);

      const replay = await fetch(local(answer.responseUrl), { redirect: 'manual' });
      expect([replay.status, replay.headers.get('location')]).toEqual([400, null]);
    });

    it('SP-initiated after the confirmation (no hint): back to the signed-out page', async () => {
      const { cookie } = await signInThrough(closed.id, 'sp-slo-confirm@corp.example');
      const res = await fetch(local(`${base()}/v1/t/${acme.slug}/oauth2/logout`), { method: 'POST', redirect: 'manual', headers: { cookie } });
      expect(res.status).toBe(303);
      expect(await sessionStatus(cookie)).toBe('ended');
      const answer = await idp.answerLogout(res.headers.get('location')!, await metadata(closed.id));
      const back = await fetch(local(answer.responseUrl), { redirect: 'manual' });
      expect(back.status).toBe(200);
      expect(await back.text()).toContain('signed out');
    });

    it("refuses a LogoutResponse that names another logout's request, or is unsigned", async () => {
      const first = await signInThrough(closed.id, 'sp-slo-a@corp.example');
      const second = await signInThrough(closed.id, 'sp-slo-b@corp.example');
      const out = async (cookie: string) =>
        (await fetch(local(`${base()}/v1/t/${acme.slug}/oauth2/logout`), { method: 'POST', redirect: 'manual', headers: { cookie } })).headers.get('location')!;
      const a = await idp.answerLogout(await out(first.cookie), await metadata(closed.id));
      const b = await idp.answerLogout(await out(second.cookie), await metadata(closed.id));

      const unsigned = new URL(a.responseUrl);
      unsigned.searchParams.delete('Signature');
      expect((await fetch(local(unsigned), { redirect: 'manual' })).status).toBe(400);

      // Signed by the IdP, but answering a's request with b's RelayState token.
      const crossed = `${urls(closed.id).slo}?${signedLogoutResponse(a.requestId, b.relayState!)}`;
      expect((await fetch(local(crossed), { redirect: 'manual' })).status).toBe(400);
      // b's token was spent by that attempt (one-time), a's is intact.
      expect((await fetch(local(b.responseUrl), { redirect: 'manual' })).status).toBe(400);
      expect((await fetch(local(a.responseUrl), { redirect: 'manual' })).status).toBe(200);
    });
  });
});
