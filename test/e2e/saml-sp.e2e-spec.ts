import * as client from 'openid-client';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { samlSpUrls } from '@credence/federation';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { eventsOf, onboard, Tenant } from './identity-authz-fixture';
import { craftResponse, CraftOptions, idOf, insertSamlConnection, logoutRedirectQuery, logoutRequest, signElement, startTestIdp, TestIdp } from '../support/saml-idp';
import { testAppUrls, confidentialRelyingParty } from '../support/openid-client';

const CALLBACK = 'https://rp.example.com/callback';

/**
 * The SAML service provider against samlify as the IdP (the whole browser flow from an app through
 * /oauth2/authorize to the ID token), and every check with a crafted Response a lenient SP accepts.
 * Connections are inserted directly (the connections API is built in parallel).
 */
describe('SAML service provider', () => {
  let t: TestApp;
  let acme: Tenant;
  let idp: TestIdp;
  let conn: { id: string };
  let app: { client_id: string; client_secret: string };
  let config: client.Configuration;

  const { base, local } = testAppUrls(() => t);
  const urls = (id = conn.id) => samlSpUrls(base(), acme.slug, id);

  interface Started {
    verifier: string;
    state: string;
    nonce: string;
    idpUrl: string;
    binding: string;
    requestId: string;
  }

  async function startLogin(connectionId = conn.id): Promise<Started> {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      connection: connectionId,
    });
    const res = await fetch(local(url), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const idpUrl = res.headers.get('location')!;
    expect(idpUrl.startsWith('https://idp.test/sso?SAMLRequest=')).toBe(true);
    const binding = res.headers
      .getSetCookie()
      .find((c) => c.startsWith('credence_binding='))!
      .split(';')[0];
    const xml = inflateRawSync(Buffer.from(new URL(idpUrl).searchParams.get('SAMLRequest')!, 'base64')).toString();
    return { verifier, state, nonce, idpUrl, binding, requestId: /ID="([^"]+)"/.exec(xml)![1] };
  }

  const metadata = async (id = conn.id) => (await fetch(local(urls(id).metadata))).text();

  const postAcs = (SAMLResponse: string, id = conn.id, extra: Record<string, string> = {}) =>
    fetch(local(urls(id).acs), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse, ...extra }).toString(),
    });

  const continueWith = (location: string, cookie: string) => fetch(local(location), { redirect: 'manual', headers: { cookie } });

  const b64 = (xml: string) => Buffer.from(xml).toString('base64');

  async function failures(): Promise<string[]> {
    return (await eventsOf(t, acme, 'federation.login.failed')).map((e) => e.data.reason);
  }

  async function counts() {
    const [users] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${acme.schema}".users`);
    const [sessions] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${acme.schema}".browser_sessions`);
    return { users: users.n, sessions: sessions.n };
  }

  const crafted = (started: Started | undefined, o: Partial<CraftOptions> = {}): string =>
    craftResponse({ acsUrl: urls().acs, spEntityId: urls().metadata, inResponseTo: started?.requestId, nameId: `c-${Date.now()}@crafted.example`, ...o });
  const signAssertion = (xml: string, sha1 = false) => signElement(xml, idOf(xml, 'Assertion'), idp.key, idp.cert, { sha1 });
  const signResponse = (xml: string) => signElement(xml, idOf(xml, 'Response'), idp.key, idp.cert);

  /** Posts a Response that must be refused with `reason`, and checks nothing was created. */
  async function refused(xml: string, reason: string, status = 400) {
    const before = await counts();
    const eventsBefore = (await failures()).length;
    const res = await postAcs(b64(xml));
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('location')).toBeNull();
    const after = await failures();
    expect(after.slice(eventsBefore)).toEqual([reason]);
    expect(await counts()).toEqual(before);
  }

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    acme = await onboard(t, 'saml');
    idp = await startTestIdp();
    conn = await insertSamlConnection(t, acme, idp);
    const res = await t.call('POST', `/v1/t/${acme.slug}/applications`, { name: 'RP', type: 'confidential', redirect_uris: [CALLBACK] }, { auth: acme.admin });
    expect(res.status).toBe(201);
    app = res.body;
    config = await confidentialRelyingParty(t, acme.slug, app);
    client.enableNonRepudiationChecks(config);
  });

  afterAll(async () => {
    await t?.close();
  });

  async function fullSignIn(email: string, options: { encrypt?: boolean } = {}) {
    const started = await startLogin();
    const answer = await idp.respond(started.idpUrl, await metadata(), email, options);
    expect(answer.requestId).toBe(started.requestId);
    expect(Buffer.from(answer.SAMLResponse, 'base64').toString().includes('EncryptedAssertion')).toBe(options.encrypt ?? false);
    const acs = await postAcs(answer.SAMLResponse, conn.id, answer.RelayState ? { RelayState: answer.RelayState } : {});
    expect(acs.status).toBe(303);
    const cont = await continueWith(acs.headers.get('location')!, started.binding);
    expect(cont.status).toBe(303);
    const callback = new URL(cont.headers.get('location')!);
    expect(callback.href.startsWith(CALLBACK)).toBe(true);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
      idTokenExpected: true,
    });
    return { tokens, claims: tokens.claims()!, session: cont.headers.getSetCookie().find((c) => c.startsWith('credence_session='))! };
  }

  it('publishes SP metadata with both certificates, the ACS and the SLO', async () => {
    const res = await fetch(local(urls().metadata));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/samlmetadata\+xml/);
    const xml = await res.text();
    expect(xml).toContain(`entityID="${urls().metadata}"`);
    expect(xml).toContain('AuthnRequestsSigned="true" WantAssertionsSigned="true"');
    expect(xml).toContain('use="signing"');
    expect(xml).toContain('use="encryption"');
    expect(xml).toContain(`Location="${urls().acs}"`);
    expect(xml).toContain(`Location="${urls().slo}"`);
  });

  it('signs a user in from an app through samlify: JIT user, ID token with amr fed and idp', async () => {
    const { claims } = await fullSignIn('alice@corp.example');
    expect(claims.amr).toEqual(['fed']);
    expect(claims.idp).toBe(conn.id);
    expect(claims.email).toBe('alice@corp.example');
    const succeeded = await eventsOf(t, acme, 'federation.login.succeeded');
    expect(succeeded.at(-1)!.data).toMatchObject({ connection_id: conn.id, jit_created: true });
    // The same person again: the link, no second user.
    const again = await fullSignIn('alice@corp.example');
    expect(again.claims.sub).toBe(claims.sub);
  });

  it('takes an encrypted assertion (RSA-OAEP key transport, whose SHA-1 digest is not a signature algorithm)', async () => {
    const { claims } = await fullSignIn('enc@corp.example', { encrypt: true });
    expect(claims.email).toBe('enc@corp.example');
  });

  describe('refuses what a lenient SP accepts', () => {
    it('unsigned', async () => refused(crafted(await startLogin()), 'signature_missing'));

    it('signed by another key', async () => {
      const other = await startTestIdp();
      const xml = crafted(await startLogin());
      await refused(signElement(xml, idOf(xml, 'Assertion'), other.key, other.cert), 'signature_invalid');
    });

    it('a signed assertion whose NameID was changed afterwards', async () => {
      const signed = signAssertion(crafted(await startLogin(), { nameId: 'user@crafted.example' }));
      await refused(signed.replace('user@crafted.example', 'admin@crafted.example'), 'signature_invalid');
    });

    it('XSW: an evil assertion before the signed one (wrapped original kept)', async () => {
      const started = await startLogin();
      const signed = signAssertion(crafted(started));
      const evil = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(crafted(started, { nameId: 'admin@crafted.example' }))![0];
      await refused(signed.replace('<saml:Assertion ', `${evil}<saml:Assertion `), 'malformed');
    });

    it('XSW: the signed assertion hidden inside the evil one (in its Signature/Object)', async () => {
      const started = await startLogin();
      const signed = signAssertion(crafted(started));
      const original = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(signed)![0];
      const evil = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(crafted(started, { nameId: 'admin@crafted.example' }))![0];
      const wrapped = evil.replace(
        '</saml:Issuer>',
        `</saml:Issuer><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:Object>${original}</ds:Object></ds:Signature>`,
      );
      await refused(signed.replace(original, wrapped), 'malformed');
    });

    it('XSW: evil assertion reusing the signed assertion ID (reference resolves to the wrong element)', async () => {
      const started = await startLogin();
      const signed = signAssertion(crafted(started, { assertionId: '_dup' }));
      const evil = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(crafted(started, { assertionId: '_dup', nameId: 'admin@crafted.example' }))![0];
      await refused(signed.replace('</samlp:Status>', `</samlp:Status><samlp:Extensions>${evil}</samlp:Extensions>`), 'malformed');
    });

    it('XSW: a signed Response with an evil unsigned assertion added', async () => {
      const started = await startLogin();
      const signed = signResponse(crafted(started));
      const evil = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(crafted(started, { nameId: 'admin@crafted.example' }))![0];
      await refused(signed.replace('</samlp:Response>', `${evil}</samlp:Response>`), 'malformed');
    });

    it('XSW: the signed Response wrapped inside an evil one', async () => {
      const started = await startLogin();
      const signed = signResponse(crafted(started));
      const evil = crafted(started, { nameId: 'admin@crafted.example' });
      const inner = signed.replace(/^<samlp:Response /, '<samlp:Response ');
      await refused(evil.replace('</samlp:Status>', `</samlp:Status><samlp:Extensions>${inner}</samlp:Extensions>`), 'malformed');
    });

    it('a comment inserted in a signed NameID cannot truncate the subject (read from the signed bytes, comments stripped)', async () => {
      const started = await startLogin();
      const signed = signAssertion(crafted(started, { nameId: 'admin@corp.example.evil.example' }));
      const tampered = signed.replace('admin@corp.example.evil.example', 'admin@corp.example<!---->.evil.example');
      expect(tampered).not.toBe(signed);
      const acs = await postAcs(b64(tampered));
      expect(acs.status).toBe(303);
      const cont = await continueWith(acs.headers.get('location')!, started.binding);
      expect(cont.status).toBe(303);
      const rows = await t.dataSource.query(`SELECT subject FROM "${acme.schema}".federated_identities WHERE subject LIKE 'admin@corp.example%'`);
      expect(rows).toEqual([{ subject: 'admin@corp.example.evil.example' }]);
    });

    it('a DOCTYPE', async () => {
      const xml = signAssertion(crafted(await startLogin()));
      await refused(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]>${xml}`, 'malformed');
    });

    it('a body over 256 KB gets 413', async () => {
      const before = await counts();
      const res = await postAcs('A'.repeat(300 * 1024));
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await counts()).toEqual(before);
    });

    it('a replayed assertion', async () => {
      const started = await startLogin();
      const answer = await idp.respond(started.idpUrl, await metadata(), 'replay@corp.example');
      const first = await postAcs(answer.SAMLResponse);
      expect(first.status).toBe(303);
      const before = (await failures()).length;
      const second = await postAcs(answer.SAMLResponse);
      expect(second.status).toBe(400);
      expect((await failures()).slice(before)).toEqual(['replayed']);
    });

    it('the same Response posted six times at once: one sign-in goes on, five are replays', async () => {
      const started = await startLogin();
      const answer = await idp.respond(started.idpUrl, await metadata(), 'racer@corp.example');
      const before = (await failures()).length;
      const posts = await Promise.all(Array.from({ length: 6 }, () => postAcs(answer.SAMLResponse)));
      expect(posts.map((p) => p.status).sort()).toEqual([303, 400, 400, 400, 400, 400]);
      expect((await failures()).slice(before)).toEqual(Array(5).fill('replayed'));
      const winner = posts.find((p) => p.status === 303)!;
      expect((await continueWith(winner.headers.get('location')!, started.binding)).status).toBe(303);
    });

    it('a second assertion answering a request already answered', async () => {
      const started = await startLogin();
      const meta = await metadata();
      const first = await idp.respond(started.idpUrl, meta, 'twice@corp.example');
      const second = await idp.respond(started.idpUrl, meta, 'twice@corp.example');
      expect((await postAcs(first.SAMLResponse)).status).toBe(303);
      const before = (await failures()).length;
      expect((await postAcs(second.SAMLResponse)).status).toBe(400);
      expect((await failures()).slice(before)).toEqual(['in_response_to_unknown']);
    });

    it('an unknown InResponseTo', async () => refused(signAssertion(crafted(undefined, { inResponseTo: '_never-asked' })), 'in_response_to_unknown'));

    it("the InResponseTo of another browser's request (login CSRF): refused at the continue step", async () => {
      const attacker = await startLogin();
      const victim = await startLogin();
      const answer = await idp.respond(attacker.idpUrl, await metadata(), 'attacker@corp.example');
      const acs = await postAcs(answer.SAMLResponse);
      expect(acs.status).toBe(303);
      const before = await counts();
      const eventsBefore = (await failures()).length;
      const cont = await continueWith(acs.headers.get('location')!, victim.binding);
      expect(cont.status).toBe(400);
      expect(cont.headers.get('location')).toBeNull();
      expect((await failures()).slice(eventsBefore)).toEqual(['in_response_to_unknown']);
      expect(await counts()).toEqual(before);
    });

    it('a wrong Destination', async () => refused(signResponse(crafted(await startLogin(), { destination: 'https://other.example/acs' })), 'destination_mismatch'));
    it('a wrong Recipient', async () => refused(signAssertion(crafted(await startLogin(), { recipient: 'https://other.example/acs' })), 'recipient_mismatch'));
    it('a wrong Audience', async () => refused(signAssertion(crafted(await startLogin(), { audience: 'https://other-sp.example' })), 'audience_mismatch'));
    it('a wrong assertion Issuer', async () => refused(signAssertion(crafted(await startLogin(), { issuer: 'https://evil-idp.example' })), 'issuer_mismatch'));
    it('a wrong Response Issuer', async () => refused(signResponse(crafted(await startLogin(), { responseIssuer: 'https://evil-idp.example' })), 'issuer_mismatch'));
    it('expired beyond the 3 minutes of skew', async () => {
      const now = Date.now() - 3600_000;
      await refused(signAssertion(crafted(await startLogin(), { now, notOnOrAfter: Date.now() - 200_000 })), 'expired');
    });
    it('not yet valid beyond the skew', async () =>
      refused(signAssertion(crafted(await startLogin(), { notBefore: Date.now() + 600_000, notOnOrAfter: Date.now() + 900_000 })), 'not_yet_valid'));
    it('SHA-1 when the connection does not allow it', async () => refused(signAssertion(crafted(await startLogin()), true), 'digest_algorithm_refused'));
    it('IdP-initiated when not allowed', async () => refused(signAssertion(crafted(undefined)), 'idp_initiated_refused'));
    it('an unsolicited signed assertion given an InResponseTo on the unsigned Response: still IdP-initiated', async () => {
      const started = await startLogin();
      const unsolicited = signAssertion(crafted(undefined));
      await refused(unsolicited.replace(/^<samlp:Response /, `<samlp:Response InResponseTo="${started.requestId}" `), 'idp_initiated_refused');
    });
    it('a signature whose Reference has no DigestValue: a refusal, not a 500', async () => {
      const signed = signAssertion(crafted(await startLogin()));
      const broken = signed.replace(/<(\w+:)?DigestValue>[^<]*<\/(\w+:)?DigestValue>/, '');
      expect(broken).not.toBe(signed);
      await refused(broken, 'signature_invalid');
    });
    it('a transient NameID', async () =>
      refused(signAssertion(crafted(await startLogin(), { nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient' })), 'subject_missing'));
    it('an IdP error status', async () => refused(crafted(await startLogin(), { status: 'urn:oasis:names:tc:SAML:2.0:status:Requester' }), 'idp_error'));
    it('not base64', async () => {
      const before = (await failures()).length;
      const res = await postAcs('<not base64>');
      expect(res.status).toBe(400);
      expect((await failures()).slice(before)).toEqual(['malformed']);
    });
  });

  describe('single logout from the IdP', () => {
    it('ends the browser sessions that came through the connection and answers a signed LogoutResponse', async () => {
      const { session } = await fullSignIn('slo@corp.example');
      const cookie = session.split(';')[0];
      const query = logoutRedirectQuery(logoutRequest({ sloUrl: urls().slo, nameId: 'slo@corp.example' }), idp.key);
      const res = await fetch(`${local(urls().slo)}?${query}`, { redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/^https:\/\/idp\.test\/slo\?SAMLResponse=.*&SigAlg=.*&Signature=/);
      // The ended session no longer answers an authorization request by itself.
      const verifier = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: CALLBACK,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: 's',
      });
      const again = await fetch(local(url), { redirect: 'manual', headers: { cookie } });
      expect(again.headers.get('location')).not.toContain(CALLBACK);
    });

    it('refuses an unsigned LogoutRequest', async () => {
      const query = logoutRedirectQuery(logoutRequest({ sloUrl: urls().slo, nameId: 'x@corp.example' }), undefined);
      const res = await fetch(`${local(urls().slo)}?${query}`, { redirect: 'manual' });
      expect(res.status).toBe(400);
    });

    it('answers a page, not a 500, to SigAlg or Signature that are not valid percent-encoding', async () => {
      const query = logoutRedirectQuery(logoutRequest({ sloUrl: urls().slo, nameId: 'x@corp.example' }), idp.key);
      for (const broken of [query.replace(/SigAlg=[^&]*/, 'SigAlg=%E0%A4%A'), query.replace(/Signature=[^&]*/, 'Signature=%')]) {
        const res = await fetch(`${local(urls().slo)}?${broken}`, { redirect: 'manual' });
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      }
    });

    it('stops inflating a deflate bomb at 256 KB, quickly', async () => {
      const bomb = deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
      const query = logoutRedirectQuery(bomb, idp.key);
      const started = Date.now();
      const res = await fetch(`${local(urls().slo)}?${query}`, { redirect: 'manual' });
      expect(res.status).toBe(413);
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });
});
