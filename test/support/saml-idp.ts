/**
 * A real SAML IdP for the tests: samlify 2 (schema-validating every message with xmllint) parses the
 * SP's AuthnRequests (checking their Redirect signature against the SP metadata) and answers with
 * signed, optionally encrypted, Responses. `craft` builds the hostile Responses by hand and signs them
 * with xml-crypto, so every attack is generated here, in the open, not kept as an opaque file.
 */
import { randomUUID } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { createSign } from 'node:crypto';
import * as samlify from 'samlify';
import * as xmllint from '@authenio/samlify-node-xmllint';
import { SignedXml } from 'xml-crypto';
import { RequestContext } from '@credence/context';
import { ConnectionStore, newSpCredential, SamlSettings } from '@credence/federation';
import { TestApp } from '@credence/testing';

samlify.setSchemaValidator(xmllint);

export const IDP_ENTITY_ID = 'https://idp.test/metadata';
export const IDP_SSO_URL = 'https://idp.test/sso';
export const IDP_SLO_URL = 'https://idp.test/slo';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

export interface TestIdp {
  key: string;
  cert: string;
  /** samlify's answer to the AuthnRequest in `authnUrl` (the IdP SSO URL Credence redirected to), base64. */
  respond(authnUrl: string, spMetadata: string, email: string, options?: { encrypt?: boolean }): Promise<{ SAMLResponse: string; RelayState?: string; requestId: string }>;
  /** samlify's unsolicited (IdP-initiated) Response: no AuthnRequest behind it (samlify writes InResponseTo=""). */
  unsolicited(spMetadata: string, email: string): Promise<string>;
  /** An IdP LogoutRequest for this NameID on the HTTP-POST binding (signed inside the XML), base64. */
  logoutRequestPost(spMetadata: string, nameId: string, relayState?: string): Promise<{ SAMLRequest: string; id: string }>;
  /**
   * Takes the SP's LogoutRequest in `sloUrl` (the IdP SLO URL Credence redirected to: checks its Redirect
   * signature against the SP metadata) and answers a signed LogoutResponse on the Redirect binding.
   */
  answerLogout(sloUrl: string, spMetadata: string): Promise<{ responseUrl: string; nameId: string; nameIdFormat?: string; requestId: string; relayState?: string }>;
}

/** samlify's IdP with this key, and Credence's SP as samlify sees it from its metadata. */
function samlifyPair(key: string, cert: string, spMetadata: string, options: { encrypt?: boolean } = {}) {
  const idp = samlify.IdentityProvider({
    entityID: IDP_ENTITY_ID,
    privateKey: key,
    signingCert: cert,
    wantAuthnRequestsSigned: true,
    wantLogoutRequestSigned: true,
    isAssertionEncrypted: options.encrypt ?? false,
    dataEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
    keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
    nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
    singleSignOnService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: IDP_SSO_URL }],
    singleLogoutService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: IDP_SLO_URL }],
  } as Parameters<typeof samlify.IdentityProvider>[0]);
  const sp = samlify.ServiceProvider({ metadata: spMetadata, wantLogoutRequestSigned: true, wantLogoutResponseSigned: true } as Parameters<typeof samlify.ServiceProvider>[0]);
  return { idp, sp };
}

const octetStringOf = (url: URL) => {
  const rawQuery = url.search.slice(1);
  return rawQuery.slice(0, rawQuery.indexOf('&Signature='));
};

export async function startTestIdp(): Promise<TestIdp> {
  const { privateKeyPem: key, certificatePem: cert } = await newSpCredential('Test IdP', 'signing');
  return {
    key,
    cert,
    async respond(authnUrl, spMetadata, email, options = {}) {
      const { idp, sp } = samlifyPair(key, cert, spMetadata, options);
      const url = new URL(authnUrl);
      const octetString = octetStringOf(url);
      const parsed = await idp.parseLoginRequest(sp, 'redirect', { query: Object.fromEntries(url.searchParams), octetString });
      const relayState = url.searchParams.get('RelayState') ?? undefined;
      const response = (await idp.createLoginResponse(sp, parsed as never, 'post', { email }, { relayState })) as { context: string };
      return { SAMLResponse: response.context, RelayState: relayState, requestId: String(parsed.extract.request?.id) };
    },
    async unsolicited(spMetadata, email) {
      const { idp, sp } = samlifyPair(key, cert, spMetadata);
      const response = (await idp.createLoginResponse(sp, null as never, 'post', { email })) as { context: string };
      return response.context;
    },
    async logoutRequestPost(spMetadata, nameId, relayState) {
      const { idp, sp } = samlifyPair(key, cert, spMetadata);
      const request = idp.createLogoutRequest(sp, 'post', { logoutNameID: nameId }, relayState) as { context: string; id: string };
      return { SAMLRequest: request.context, id: request.id };
    },
    async answerLogout(sloUrl, spMetadata) {
      const { idp, sp } = samlifyPair(key, cert, spMetadata);
      const url = new URL(sloUrl);
      const parsed = await idp.parseLogoutRequest(sp, 'redirect', { query: Object.fromEntries(url.searchParams), octetString: octetStringOf(url) });
      const relayState = url.searchParams.get('RelayState') ?? undefined;
      const answer = idp.createLogoutResponse(sp, parsed as never, 'redirect', relayState) as { context: string };
      const request = parsed.extract.request as { id: string };
      const nameId = parsed.extract.nameID as string;
      const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString();
      return { responseUrl: answer.context, nameId, nameIdFormat: /Format="([^"]+)"/.exec(xml)?.[1], requestId: request.id, relayState };
    },
  };
}

export interface CraftOptions {
  acsUrl: string;
  spEntityId: string;
  inResponseTo?: string;
  nameId?: string;
  nameIdFormat?: string;
  issuer?: string;
  responseIssuer?: string;
  destination?: string;
  recipient?: string;
  audience?: string;
  /** Epoch ms; default now. */
  now?: number;
  notBefore?: number;
  notOnOrAfter?: number;
  assertionId?: string;
  status?: string;
  attributes?: Record<string, string>;
}

const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An unsigned Response with one assertion, every field as a careful IdP writes it unless overridden. */
export function craftResponse(o: CraftOptions): string {
  const now = o.now ?? Date.now();
  const inResponse = o.inResponseTo ? ` InResponseTo="${o.inResponseTo}"` : '';
  const attributes = Object.entries(o.attributes ?? {})
    .map(([n, v]) => `<saml:Attribute Name="${n}"><saml:AttributeValue>${v}</saml:AttributeValue></saml:Attribute>`)
    .join('');
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomUUID()}" Version="2.0" IssueInstant="${instant(now)}" Destination="${o.destination ?? o.acsUrl}"${inResponse}>` +
    `<saml:Issuer>${o.responseIssuer ?? IDP_ENTITY_ID}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${o.status ?? 'urn:oasis:names:tc:SAML:2.0:status:Success'}"/></samlp:Status>` +
    `<saml:Assertion ID="${o.assertionId ?? `_a${randomUUID()}`}" Version="2.0" IssueInstant="${instant(now)}">` +
    `<saml:Issuer>${o.issuer ?? IDP_ENTITY_ID}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${o.nameIdFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'}">${o.nameId ?? 'someone@example.com'}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${instant(o.notOnOrAfter ?? now + 300_000)}" Recipient="${o.recipient ?? o.acsUrl}"${inResponse}/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${instant(o.notBefore ?? now - 60_000)}" NotOnOrAfter="${instant(o.notOnOrAfter ?? now + 300_000)}"><saml:AudienceRestriction><saml:Audience>${o.audience ?? o.spEntityId}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${instant(now)}" SessionIndex="_s1"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '') +
    `</saml:Assertion></samlp:Response>`
  );
}

/** Signs the element with this ID (enveloped, after its Issuer), as an IdP does. */
export function signElement(xml: string, id: string, key: string, cert: string, options: { sha1?: boolean } = {}): string {
  const sig = new SignedXml({ privateKey: key, publicCert: cert, signatureAlgorithm: options.sha1 ? RSA_SHA1 : RSA_SHA256, canonicalizationAlgorithm: EXC_C14N });
  sig.addReference({
    xpath: `//*[@ID='${id}']`,
    digestAlgorithm: options.sha1 ? 'http://www.w3.org/2000/09/xmldsig#sha1' : 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: [ENVELOPED, EXC_C14N],
  });
  sig.computeSignature(xml, { location: { reference: `//*[@ID='${id}']/*[local-name(.)='Issuer']`, action: 'after' } });
  return sig.getSignedXml();
}

export const idOf = (xml: string, element: 'Response' | 'Assertion') => new RegExp(`<(?:samlp|saml):${element} [^>]*ID="([^"]+)"`).exec(xml)![1];

/** A LogoutRequest on the Redirect binding, signed with `key` (or a raw deflated payload, for the bomb). */
export function logoutRedirectQuery(payload: Buffer | string, key: string | undefined): string {
  const deflated = typeof payload === 'string' ? deflateRawSync(Buffer.from(payload)) : payload;
  let query = `SAMLRequest=${encodeURIComponent(deflated.toString('base64'))}`;
  if (key) {
    query += `&SigAlg=${encodeURIComponent(RSA_SHA256)}`;
    query += `&Signature=${encodeURIComponent(createSign('RSA-SHA256').update(query).sign(key, 'base64'))}`;
  }
  return query;
}

export function logoutRequest(o: { sloUrl: string; nameId: string; issuer?: string }): string {
  return (
    `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_l${randomUUID()}" Version="2.0" IssueInstant="${instant(Date.now())}" Destination="${o.sloUrl}">` +
    `<saml:Issuer>${o.issuer ?? IDP_ENTITY_ID}</saml:Issuer><saml:NameID>${o.nameId}</saml:NameID></samlp:LogoutRequest>`
  );
}

export interface TenantRef {
  id: string;
  slug: string;
  schema: string;
}

/**
 * A SAML connection inserted directly (the connections API is built in parallel): fresh SP keys sealed
 * for this tenant and connection, as the API will store them.
 */
export async function insertSamlConnection(
  t: TestApp,
  tenant: TenantRef,
  idp: Pick<TestIdp, 'cert'>,
  overrides: Partial<SamlSettings> & { enabled?: boolean; jit?: boolean; domains?: string[] } = {},
): Promise<{ id: string; saml: SamlSettings }> {
  const id = randomUUID();
  const signing = await newSpCredential('Credence SP', 'signing');
  const encryption = await newSpCredential('Credence SP', 'encryption');
  const { enabled = true, jit = true, domains = [], ...samlOverrides } = overrides;
  const saml: SamlSettings = {
    idp_entity_id: IDP_ENTITY_ID,
    idp_sso_url: IDP_SSO_URL,
    idp_slo_url: IDP_SLO_URL,
    idp_certificates: [idp.cert],
    allow_idp_initiated: false,
    sign_authn_requests: true,
    allow_sha1: false,
    sp_signing_certificate: signing.certificatePem,
    sp_encryption_certificate: encryption.certificatePem,
    ...samlOverrides,
  };
  const context = t.app.get(RequestContext);
  const { sealed, kekId } = await context.runWith({ tenant }, async () =>
    t.app.get(ConnectionStore).seal(id, { sp_signing_key: signing.privateKeyPem, sp_encryption_key: encryption.privateKeyPem }),
  );
  await t.dataSource.query(
    `INSERT INTO "${tenant.schema}".connections (id, type, name, enabled, jit, config, secrets, secrets_kek_id, created_by)
     VALUES ($1, 'saml', 'Test IdP', $2, $3, $4, $5, $6, 'test')`,
    [id, enabled, JSON.stringify({ enabled: jit, default_roles: [] }), JSON.stringify({ saml }), sealed, kekId],
  );
  for (const domain of domains) await t.dataSource.query(`INSERT INTO "${tenant.schema}".connection_domains (domain, connection_id) VALUES ($1, $2)`, [domain, id]);
  return { id, saml };
}

/** A certificate's base64 body, without the PEM armour or line breaks (how metadata carries it). */
export const pemBody = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');

/** IdP metadata as Entra ID and Okta publish it: every signing certificate the IdP may use (several during a rollover), and its Redirect sign-on URL. */
export function idpMetadata(entityId: string, certificates: string[], ssoUrl = IDP_SSO_URL): string {
  const keys = certificates
    .map((c) => `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${pemBody(c)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${keys}
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
}
