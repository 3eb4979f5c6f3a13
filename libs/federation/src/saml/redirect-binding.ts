import { createSign, createVerify, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { SamlRefusal } from './saml-xml';

export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
/** A SAML message, deflated or not, is never larger than this (issue 12: raw or inflated). */
export const SAML_MESSAGE_LIMIT_BYTES = 256 * 1024;

/** A fresh SAML message id (xs:ID: starts with a letter or underscore). */
export const samlId = () => `_${randomBytes(20).toString('hex')}`;
export const samlInstant = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export type RedirectKind = 'SAMLRequest' | 'SAMLResponse';

/**
 * The HTTP-Redirect binding (saml-bindings §3.4): the message deflated and base64ed in the query,
 * RelayState, and, with a key, SigAlg and Signature over those parameters in that order.
 */
export function redirectUrl(target: string, kind: RedirectKind, xml: string, relayState: string | undefined, signingKey: string | undefined): string {
  let query = `${kind}=${encodeURIComponent(deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'))}`;
  if (relayState) query += `&RelayState=${encodeURIComponent(relayState)}`;
  if (signingKey) {
    query += `&SigAlg=${encodeURIComponent(RSA_SHA256)}`;
    const signature = createSign('RSA-SHA256').update(query).sign(signingKey, 'base64');
    query += `&Signature=${encodeURIComponent(signature)}`;
  }
  return `${target}${target.includes('?') ? '&' : '?'}${query}`;
}

/** The raw (still URL-encoded) value of a query parameter: the signature covers the bytes as sent. */
function rawParam(rawQuery: string, name: string): string | undefined {
  const found = rawQuery.split('&').filter((p) => p.startsWith(`${name}=`));
  if (found.length > 1) throw new SamlRefusal('malformed', `${name} is repeated`);
  return found[0]?.slice(name.length + 1);
}

/** A query value percent-decoded; one that is not valid percent-encoding is a malformed message. */
function decoded(raw: string, name: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new SamlRefusal('malformed', `${name} is not valid percent-encoding`);
  }
}

/**
 * Reads a Redirect-binding message and checks its signature with the IdP's certificates. The inflated
 * size is bounded by zlib itself (maxOutputLength), so a deflate bomb costs at most 256 KB and stops
 * there; the signature is checked over the query before the XML is ever parsed.
 */
export function readRedirectMessage(rawQuery: string, kind: RedirectKind, certificates: readonly string[], allowSha1: boolean): { xml: string; relayState?: string } {
  if (rawQuery.length > SAML_MESSAGE_LIMIT_BYTES) throw new SamlRefusal('too_large', 'query too long');
  const message = rawParam(rawQuery, kind);
  if (!message) throw new SamlRefusal('malformed', `no ${kind}`);
  const relay = rawParam(rawQuery, 'RelayState');
  const sigAlg = rawParam(rawQuery, 'SigAlg');
  const signature = rawParam(rawQuery, 'Signature');
  if (!sigAlg || !signature) throw new SamlRefusal('signature_missing', 'the message is not signed');
  const algorithm = decoded(sigAlg, 'SigAlg');
  if (algorithm === RSA_SHA1 && !allowSha1) throw new SamlRefusal('digest_algorithm_refused', 'SHA-1 is not allowed');
  if (algorithm !== RSA_SHA256 && algorithm !== RSA_SHA1) throw new SamlRefusal('signature_invalid', 'unsupported SigAlg');
  const signed = `${kind}=${message}${relay !== undefined ? `&RelayState=${relay}` : ''}&SigAlg=${sigAlg}`;
  const signatureBytes = Buffer.from(decoded(signature, 'Signature'), 'base64');
  const valid = certificates.some((cert) => {
    try {
      return createVerify(algorithm === RSA_SHA256 ? 'RSA-SHA256' : 'RSA-SHA1')
        .update(signed)
        .verify(cert, signatureBytes);
    } catch {
      return false;
    }
  });
  if (!valid) throw new SamlRefusal('signature_invalid', 'the Redirect signature does not verify');
  let xml: string;
  try {
    xml = inflateRawSync(Buffer.from(decoded(message, kind), 'base64'), { maxOutputLength: SAML_MESSAGE_LIMIT_BYTES }).toString('utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new SamlRefusal('too_large', 'inflates beyond the limit');
    throw new SamlRefusal('malformed', 'cannot be inflated');
  }
  return { xml, relayState: relay === undefined ? undefined : decoded(relay, 'RelayState') };
}
