import { promisify } from 'node:util';
import * as xmlenc from 'xml-encryption';
import { descendantsNamed, elementChildren, NS, onlyChild, parseSamlXml, plainText, SamlRefusal, assertUniqueIds } from './saml-xml';
import { signatureOf, verifiedCopy } from './saml-signature';

/** At most three minutes of clock difference with the IdP (issue 12). */
export const CLOCK_SKEW_MS = 180_000;

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const TRANSIENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';
export const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

/** What this SP expects of a Response for one connection. */
export interface SamlExpectations {
  acsUrl: string;
  spEntityId: string;
  idpEntityId: string;
  idpCertificates: readonly string[];
  allowSha1: boolean;
  /**
   * The SP's encryption keys (PKCS#8 PEM) for an encrypted assertion, the current one first, then the one
   * before the last rotation: read only when the assertion is encrypted.
   */
  decryptionKeys: () => Promise<string[]>;
  now: number;
}

/** A Response that passed every check that needs no state (the caller does InResponseTo and replay in Redis). */
export interface VerifiedAssertion {
  assertionId: string;
  /** Undefined for an IdP-initiated (unsolicited) response. */
  inResponseTo?: string;
  /** Epoch ms until which the assertion could be replayed (its id is remembered until then). */
  validUntil: number;
  nameId: string;
  nameIdFormat?: string;
  sessionIndex?: string;
  attributes: Record<string, string[]>;
}

const decryptXml = promisify(xmlenc.decrypt) as (xml: string, options: { key: string; disallowDecryptionWithInsecureAlgorithm: boolean }) => Promise<string>;

/** xmldom answers '' for an absent attribute. */
function instant(value: string | null, what: string): number | undefined {
  if (!value) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new SamlRefusal('malformed', `${what} is not a UTC instant`);
  return ms;
}

function checkWindow(notBefore: number | undefined, notOnOrAfter: number | undefined, now: number): void {
  if (notBefore !== undefined && now + CLOCK_SKEW_MS < notBefore) throw new SamlRefusal('not_yet_valid', 'the assertion is not valid yet');
  if (notOnOrAfter !== undefined && now - CLOCK_SKEW_MS >= notOnOrAfter) throw new SamlRefusal('expired', 'the assertion has expired');
}

/**
 * Every stateless check of a SAML Response posted to the ACS, in the order a refusal is decided
 * (docs/federation.md, "SAML sign-in" lists them with their reasons). The DOCTYPE and size are refused before
 * parsing; the assertion is read only from the bytes a valid signature covers.
 */
export async function verifySamlResponse(xml: string, expect: SamlExpectations): Promise<VerifiedAssertion> {
  const doc = parseSamlXml(xml);
  const response = doc.documentElement as unknown as Element;
  if (response.namespaceURI !== NS.protocol || response.localName !== 'Response') throw new SamlRefusal('malformed', 'not a SAML Response');
  assertUniqueIds(doc);

  const statusCode = onlyChild(onlyChild(response, NS.protocol, 'Status') ?? response, NS.protocol, 'StatusCode');
  if (statusCode?.getAttribute('Value') !== SUCCESS) throw new SamlRefusal('idp_error', `IdP status ${statusCode?.getAttribute('Value') ?? 'missing'}`);

  // One assertion, wherever it hides: every signature-wrapping attack needs a second one.
  const assertions = [...descendantsNamed(doc, 'Assertion'), ...descendantsNamed(doc, 'EncryptedAssertion')];
  if (assertions.length !== 1) throw new SamlRefusal('malformed', `${assertions.length} assertions`);
  if (descendantsNamed(doc, 'Response').length !== 1) throw new SamlRefusal('malformed', 'a Response inside the Response');

  // The Response as signed when it is signed; its Destination and Issuer are read from that copy.
  const responseSignature = signatureOf(response);
  const signedResponse = responseSignature ? verifiedCopy(xml, response, responseSignature, expect.idpCertificates, expect.allowSha1) : undefined;
  const envelope = signedResponse ?? response;
  if (envelope.getAttribute('Destination') !== expect.acsUrl) throw new SamlRefusal('destination_mismatch', 'Destination is not this ACS');
  const responseIssuer = onlyChild(envelope, NS.assertion, 'Issuer');
  if (responseIssuer && plainText(responseIssuer) !== expect.idpEntityId) throw new SamlRefusal('issuer_mismatch', 'Response Issuer is not the IdP');

  let assertionXml = xml;
  let assertion = onlyChild(envelope, NS.assertion, 'Assertion');
  const encrypted = onlyChild(envelope, NS.assertion, 'EncryptedAssertion');
  if (!assertion && encrypted) {
    const keys = await expect.decryptionKeys();
    if (!keys.length) throw new SamlRefusal('malformed', 'an encrypted assertion and no SP encryption key');
    assertionXml = await decryptWithAny(encrypted.toString(), keys);
    const inner = parseSamlXml(assertionXml);
    assertUniqueIds(inner);
    assertion = inner.documentElement as unknown as Element;
    if (descendantsNamed(inner, 'Assertion').length !== 1 || descendantsNamed(inner, 'EncryptedAssertion').length !== 0) throw new SamlRefusal('malformed', 'several assertions');
  }
  if (!assertion || assertion.namespaceURI !== NS.assertion || assertion.localName !== 'Assertion') throw new SamlRefusal('malformed', 'no assertion in the Response');

  // The assertion as signed: its own signature, else the Response's (which then covered it).
  const assertionSignature = signatureOf(assertion);
  if (assertionSignature) assertion = verifiedCopy(assertionXml, assertion, assertionSignature, expect.idpCertificates, expect.allowSha1);
  else if (!signedResponse) throw new SamlRefusal('signature_missing', 'neither the Response nor the assertion is signed');

  return readAssertion(assertion, envelope, signedResponse !== undefined, expect);
}

function readAssertion(assertion: Element, envelope: Element, envelopeSigned: boolean, expect: SamlExpectations): VerifiedAssertion {
  const assertionId = assertion.getAttribute('ID');
  if (!assertionId) throw new SamlRefusal('malformed', 'the assertion has no ID');
  if (plainText(onlyChild(assertion, NS.assertion, 'Issuer')) !== expect.idpEntityId) throw new SamlRefusal('issuer_mismatch', 'assertion Issuer is not the IdP');

  const subject = onlyChild(assertion, NS.assertion, 'Subject');
  if (!subject) throw new SamlRefusal('subject_missing', 'no Subject');
  const bearer = elementChildren(subject, NS.assertion, 'SubjectConfirmation').filter((c) => c.getAttribute('Method') === BEARER);
  if (bearer.length !== 1) throw new SamlRefusal('malformed', 'exactly one bearer SubjectConfirmation is required');
  const data = onlyChild(bearer[0], NS.assertion, 'SubjectConfirmationData');
  if (!data || data.getAttribute('Recipient') !== expect.acsUrl) throw new SamlRefusal('recipient_mismatch', 'Recipient is not this ACS');
  const confirmationEnd = instant(data.getAttribute('NotOnOrAfter'), 'NotOnOrAfter');
  if (confirmationEnd === undefined) throw new SamlRefusal('malformed', 'SubjectConfirmationData has no NotOnOrAfter');
  checkWindow(instant(data.getAttribute('NotBefore'), 'NotBefore'), confirmationEnd, expect.now);

  const conditions = onlyChild(assertion, NS.assertion, 'Conditions');
  if (!conditions) throw new SamlRefusal('audience_mismatch', 'no Conditions');
  const conditionsEnd = instant(conditions.getAttribute('NotOnOrAfter'), 'NotOnOrAfter');
  checkWindow(instant(conditions.getAttribute('NotBefore'), 'NotBefore'), conditionsEnd, expect.now);
  const restrictions = elementChildren(conditions, NS.assertion, 'AudienceRestriction');
  // Every AudienceRestriction must name us (saml-core §2.5.1.4: they are ANDed).
  if (restrictions.length === 0) throw new SamlRefusal('audience_mismatch', 'no AudienceRestriction');
  for (const r of restrictions) {
    if (!elementChildren(r, NS.assertion, 'Audience').some((a) => plainText(a) === expect.spEntityId)) throw new SamlRefusal('audience_mismatch', 'we are not the audience');
  }

  const signedInResponseTo = data.getAttribute('InResponseTo') || undefined;
  const envelopeInResponseTo = envelope.getAttribute('InResponseTo') || undefined;
  if (signedInResponseTo && envelopeInResponseTo && signedInResponseTo !== envelopeInResponseTo) throw new SamlRefusal('in_response_to_unknown', 'InResponseTo differs');
  // An unsigned Response's InResponseTo never counts: anyone could bind an unsolicited assertion to their own AuthnRequest with it.
  const inResponseTo = signedInResponseTo ?? (envelopeSigned ? envelopeInResponseTo : undefined);

  const nameIdEl = onlyChild(subject, NS.assertion, 'NameID');
  if (onlyChild(subject, NS.assertion, 'EncryptedID')) throw new SamlRefusal('subject_missing', 'encrypted NameIDs are not supported');
  const nameId = plainText(nameIdEl);
  const nameIdFormat = nameIdEl?.getAttribute('Format') || undefined;
  if (!nameId || nameIdFormat === TRANSIENT || nameId.length > 512) throw new SamlRefusal('subject_missing', 'no persistent NameID');

  const authn = onlyChild(assertion, NS.assertion, 'AuthnStatement');
  return {
    assertionId,
    inResponseTo,
    validUntil: Math.max(confirmationEnd, conditionsEnd ?? 0) + CLOCK_SKEW_MS,
    nameId,
    nameIdFormat,
    sessionIndex: authn?.getAttribute('SessionIndex') || undefined,
    attributes: readAttributes(assertion),
  };
}

function readAttributes(assertion: Element): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  for (const statement of elementChildren(assertion, NS.assertion, 'AttributeStatement')) {
    for (const attribute of elementChildren(statement, NS.assertion, 'Attribute')) {
      const name = attribute.getAttribute('Name');
      if (!name) continue;
      const values = elementChildren(attribute, NS.assertion, 'AttributeValue').flatMap((v) => textValue(v));
      out[name] = [...(out[name] ?? []), ...values];
    }
  }
  return out;
}

/** An attribute value that is plain text; structured values (nested elements) are not mapped. */
function textValue(el: Element): string[] {
  try {
    const text = plainText(el);
    return text === undefined ? [] : [text];
  } catch {
    return [];
  }
}

/** Decrypts with the first key that opens it (after an SP key rotation an IdP may still use the old certificate). */
async function decryptWithAny(encrypted: string, keys: readonly string[]): Promise<string> {
  for (const key of keys) {
    try {
      return await decryptXml(encrypted, { key, disallowDecryptionWithInsecureAlgorithm: true });
    } catch {
      // the next key, if any
    }
  }
  throw new SamlRefusal('malformed', 'the assertion cannot be decrypted');
}
