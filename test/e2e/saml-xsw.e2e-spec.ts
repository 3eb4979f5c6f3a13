import * as client from 'openid-client';
import { randomUUID } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { samlSpUrls } from '@credence/federation';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { eventsOf, onboard, Tenant } from './identity-authz-fixture';
import { craftResponse, idOf, insertSamlConnection, signElement, startTestIdp, TestIdp } from '../support/saml-idp';
import { testAppUrls, confidentialRelyingParty } from '../support/openid-client';

const CALLBACK = 'https://rp.example.com/callback';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const VICTIM = 'victim@corp.example';
const EVIL = 'admin@corp.example';

/** The signature as the signer wrote it: xml-crypto's default namespace or samlify's ds: prefix. */
const SIGNATURE = /<(?:ds:)?Signature[\s>][\s\S]*?<\/(?:ds:)?Signature>/;
const ASSERTION = /<saml:Assertion[\s>][\s\S]*<\/saml:Assertion>/;

const signatureIn = (xml: string) => SIGNATURE.exec(xml)![0];
const withoutSignature = (xml: string) => xml.replace(SIGNATURE, '');
const assertionIn = (xml: string) => ASSERTION.exec(xml)![0];
/** Fresh IDs for every element (the attacker's copies must not collide with the signed originals). */
const freshIds = (xml: string) => xml.replace(/ ID="[^"]+"/g, () => ` ID="_evil-${randomUUID()}"`);
const evilSubject = (xml: string) => xml.replace(/(<saml:NameID[^>]*>)[^<]*/g, `$1${EVIL}`);
/** Puts `inner` as the last child of the (single) Signature in `signature`. */
const intoSignature = (signature: string, inner: string) => signature.replace(/(<\/(?:ds:)?Signature>)$/, `${inner}$1`);
const dsPrefixOf = (signature: string) => (signature.startsWith('<ds:') ? 'ds:' : '');
/** After the first Issuer in the document: the Response's own (it comes before any assertion). */
const afterFirstIssuer = (xml: string, inserted: string) => xml.replace('</saml:Issuer>', `</saml:Issuer>${inserted}`);

/**
 * The eight classic XML signature wrapping attacks (Somorovsky et al., "On Breaking SAML: Be Whoever You
 * Want to Be", USENIX Security 2012; the XSW1–XSW8 of SAML Raider), each built from a genuinely signed
 * message: a Response signed by xml-crypto (XSW1, XSW2: samlify signs only the assertion) or samlify's
 * signed assertion (XSW3–XSW8). Every crafted message is first shown to fool a lenient SP (its one
 * signature still verifies with xml-crypto, and the assertion a naive SP reads, the Response's first
 * Assertion child, names the attacker), then posted to the ACS for a real pending AuthnRequest.
 */
describe('SAML signature wrapping (XSW1–XSW8)', () => {
  let t: TestApp;
  let acme: Tenant;
  let idp: TestIdp;
  let conn: { id: string };
  let app: { client_id: string; client_secret: string };
  let config: client.Configuration;

  const { base, local } = testAppUrls(() => t);
  const urls = () => samlSpUrls(base(), acme.slug, conn.id);

  interface Started {
    idpUrl: string;
    requestId: string;
  }

  async function startLogin(): Promise<Started> {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: client.randomState(),
      nonce: client.randomNonce(),
      connection: conn.id,
    });
    const res = await fetch(local(url), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const idpUrl = res.headers.get('location')!;
    expect(idpUrl.startsWith('https://idp.test/sso?SAMLRequest=')).toBe(true);
    const xml = inflateRawSync(Buffer.from(new URL(idpUrl).searchParams.get('SAMLRequest')!, 'base64')).toString();
    return { idpUrl, requestId: /ID="([^"]+)"/.exec(xml)![1] };
  }

  const metadata = async () => (await fetch(local(urls().metadata))).text();

  const postAcs = (SAMLResponse: string) =>
    fetch(local(urls().acs), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse }).toString(),
    });

  const b64 = (xml: string) => Buffer.from(xml).toString('base64');

  async function failures(): Promise<string[]> {
    return (await eventsOf(t, acme, 'federation.login.failed')).map((e) => e.data.reason);
  }

  async function counts() {
    const [users] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${acme.schema}".users`);
    const [sessions] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${acme.schema}".browser_sessions`);
    const [links] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${acme.schema}".federated_identities`);
    return { users: users.n, sessions: sessions.n, links: links.n };
  }

  /** samlify's answer to a real AuthnRequest: the Response unsigned, its assertion signed (WantAssertionsSigned). */
  async function samlifySigned(): Promise<string> {
    const started = await startLogin();
    const answer = await idp.respond(started.idpUrl, await metadata(), VICTIM);
    expect(answer.requestId).toBe(started.requestId);
    return Buffer.from(answer.SAMLResponse, 'base64').toString();
  }

  /** A Response signed as a whole by xml-crypto (enveloped, after its Issuer) for a real AuthnRequest. */
  async function responseSigned(): Promise<string> {
    const started = await startLogin();
    const xml = craftResponse({ acsUrl: urls().acs, spEntityId: urls().metadata, inResponseTo: started.requestId, nameId: VICTIM });
    return signElement(xml, idOf(xml, 'Response'), idp.key, idp.cert);
  }

  /**
   * What a lenient SP sees: the message's one signature verifies (xml-crypto, IdP certificate), and the
   * Response's first Assertion child, the one a naive SP reads, names the attacker.
   */
  function foolsALenientSp(xml: string): void {
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const signatures = Array.from(doc.getElementsByTagNameNS(DSIG, 'Signature'));
    expect(signatures).toHaveLength(1);
    const verifier = new SignedXml({ publicCert: idp.cert, getCertFromKeyInfo: () => null });
    verifier.idAttributes = ['ID'];
    verifier.loadSignature(signatures[0] as unknown as Node);
    expect(verifier.checkSignature(xml)).toBe(true);
    const child = (parent: Element | undefined, name: string) =>
      Array.from(parent?.childNodes ?? []).find((n) => (n as Element).localName === name && (n as Element).namespaceURI === ASSERTION_NS) as Element | undefined;
    const read = child(doc.documentElement as unknown as Element, 'Assertion');
    expect(child(child(read, 'Subject'), 'NameID')?.textContent).toBe(EVIL);
  }

  /** Posts a wrapped Response: 400 page, no redirect, one failure event with `reason`, nothing created. */
  async function refused(xml: string, reason: string) {
    foolsALenientSp(xml);
    const before = await counts();
    const eventsBefore = (await failures()).length;
    const res = await postAcs(b64(xml));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('location')).toBeNull();
    expect((await failures()).slice(eventsBefore)).toEqual([reason]);
    expect(await counts()).toEqual(before);
  }

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    acme = await onboard(t, 'xsw');
    idp = await startTestIdp();
    conn = await insertSamlConnection(t, acme, idp);
    const res = await t.call('POST', `/v1/t/${acme.slug}/applications`, { name: 'RP', type: 'confidential', redirect_uris: [CALLBACK] }, { auth: acme.admin });
    expect(res.status).toBe(201);
    app = res.body;
    config = await confidentialRelyingParty(t, acme.slug, app);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('the genuine messages the attacks start from are accepted unwrapped', () => {
    it('a Response signed as a whole', async () => expect((await postAcs(b64(await responseSigned()))).status).toBe(303));
    it("samlify's Response with its assertion signed", async () => expect((await postAcs(b64(await samlifySigned()))).status).toBe(303));
  });

  it('XSW1: the signed Response copied into the Signature of an evil Response (new ID, evil assertion)', async () => {
    const signed = await responseSigned();
    const original = withoutSignature(signed);
    const evil = evilSubject(freshIds(original));
    const wrapped = afterFirstIssuer(evil, intoSignature(signatureIn(signed), original));
    await refused(wrapped, 'malformed');
  });

  it('XSW2: the signed Response copied, detached, as a sibling before the Signature of an evil Response', async () => {
    const signed = await responseSigned();
    const original = withoutSignature(signed);
    const evil = evilSubject(freshIds(original));
    const wrapped = afterFirstIssuer(evil, `${original}${signatureIn(signed)}`);
    await refused(wrapped, 'malformed');
  });

  it('XSW3: an evil assertion (new ID) inserted before the signed assertion as its sibling', async () => {
    const signed = await samlifySigned();
    const original = assertionIn(signed);
    const evil = evilSubject(freshIds(withoutSignature(original)));
    await refused(signed.replace(original, `${evil}${original}`), 'malformed');
  });

  it('XSW4: an evil assertion wrapping the signed assertion (the original as its child)', async () => {
    const signed = await samlifySigned();
    const original = assertionIn(signed);
    const evil = evilSubject(freshIds(withoutSignature(original)));
    await refused(signed.replace(original, evil.replace(/<\/saml:Assertion>$/, `${original}</saml:Assertion>`)), 'malformed');
  });

  it("XSW5: the evil assertion keeps the original's Signature, a copy of the original appended to the Response", async () => {
    const signed = await samlifySigned();
    const original = assertionIn(signed);
    const evil = evilSubject(freshIds(original));
    expect(signatureIn(evil)).toBe(signatureIn(original));
    const wrapped = signed.replace(original, evil).replace('</samlp:Response>', `${withoutSignature(original)}</samlp:Response>`);
    await refused(wrapped, 'malformed');
  });

  it("XSW6: the evil assertion keeps the original's Signature, the copy of the original inside that Signature", async () => {
    const signed = await samlifySigned();
    const original = assertionIn(signed);
    const evil = evilSubject(freshIds(original));
    const signature = signatureIn(evil);
    const wrapped = signed.replace(original, evil.replace(signature, intoSignature(signature, withoutSignature(original))));
    await refused(wrapped, 'malformed');
  });

  it('XSW7: the signed assertion in an Extensions element, the evil assertion as the Response assertion', async () => {
    const signed = await samlifySigned();
    const original = assertionIn(signed);
    const evil = evilSubject(freshIds(withoutSignature(original)));
    const wrapped = afterFirstIssuer(signed.replace(original, evil), `<samlp:Extensions>${original}</samlp:Extensions>`);
    await refused(wrapped, 'malformed');
  });

  it("XSW8: the original assertion, without its signature, in an Object of the evil assertion's Signature", async () => {
    const signed = await samlifySigned();
    const original = assertionIn(signed);
    const evil = evilSubject(freshIds(original));
    const signature = signatureIn(evil);
    const ds = dsPrefixOf(signature);
    const object = `<${ds}Object>${withoutSignature(original)}</${ds}Object>`;
    await refused(signed.replace(original, evil.replace(signature, intoSignature(signature, object))), 'malformed');
  });
});
