import { SAML_MESSAGE_LIMIT_BYTES } from './redirect-binding';
import { signatureOf, verifiedCopy } from './saml-signature';
import { assertUniqueIds, parseSamlXml, SamlRefusal } from './saml-xml';

const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}[\r\n]*$/;

/**
 * Reads a SAML protocol message on the HTTP-POST binding (saml-bindings §3.5): base64 in a form field,
 * at most 256 KB, signed inside the XML (an enveloped signature of the root). Returns the root **as
 * signed** (verifiedCopy re-parses the canonical bytes the signature covers), so nothing outside them
 * is ever read.
 */
export function readPostMessage(value: unknown, certificates: readonly string[], allowSha1: boolean): Element {
  if (typeof value !== 'string' || !value) throw new SamlRefusal('malformed', 'no SAML message');
  if (value.length > SAML_MESSAGE_LIMIT_BYTES) throw new SamlRefusal('too_large', 'the message is too large');
  if (!BASE64.test(value)) throw new SamlRefusal('malformed', 'the message is not base64');
  const xml = Buffer.from(value, 'base64').toString('utf8');
  const doc = parseSamlXml(xml);
  assertUniqueIds(doc);
  const root = doc.documentElement as unknown as Element;
  const signature = signatureOf(root);
  if (!signature) throw new SamlRefusal('signature_missing', 'the message is not signed');
  return verifiedCopy(xml, root, signature, certificates, allowSha1);
}
