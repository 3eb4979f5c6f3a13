import { SignedXml } from 'xml-crypto';
import { elementChildren, NS, onlyChild, parseSamlXml, SamlRefusal } from './saml-xml';
import { publicKeyOf } from './public-keys';

const SHA1 = new Set(['http://www.w3.org/2000/09/xmldsig#rsa-sha1', 'http://www.w3.org/2000/09/xmldsig#sha1']);
const SIGNATURE_ALGORITHMS = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
]);
const DIGEST_ALGORITHMS = new Set(['http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmlenc#sha512', 'http://www.w3.org/2000/09/xmldsig#sha1']);
/** Canonicalization without comments only: with comments, a comment inside a NameID would be signed and read. */
const CANONICALIZATIONS = new Set(['http://www.w3.org/2001/10/xml-exc-c14n#', 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315']);
const TRANSFORMS = new Set([...CANONICALIZATIONS, 'http://www.w3.org/2000/09/xmldsig#enveloped-signature']);

const algorithmOf = (parent: Element | undefined, localName: string): string => {
  const el = parent && onlyChild(parent, NS.dsig, localName);
  const value = el?.getAttribute('Algorithm');
  if (!value) throw new SamlRefusal('signature_invalid', `${localName} has no algorithm`);
  return value;
};

/** The enveloped signature of `element` (its direct ds:Signature child), if it has one. */
export function signatureOf(element: Element): Element | undefined {
  return onlyChild(element, NS.dsig, 'Signature');
}

/**
 * Checks the enveloped signature of `element` (found in the document `xml`) with the IdP's certificates
 * (KeyInfo is never trusted) and returns the element **as signed**: re-parsed from the canonical bytes
 * the signature covers. Callers read only that copy, so nothing outside the signed bytes (a wrapped or
 * second assertion, an added attribute) can be read as if it were signed.
 */
export function verifiedCopy(xml: string, element: Element, signature: Element, certificates: readonly string[], allowSha1: boolean): Element {
  const id = element.getAttribute('ID');
  if (!id) throw new SamlRefusal('malformed', `${element.localName} has no ID`);
  const signedInfo = onlyChild(signature, NS.dsig, 'SignedInfo');
  if (!signedInfo) throw new SamlRefusal('signature_invalid', 'no SignedInfo');
  const references = elementChildren(signedInfo, NS.dsig, 'Reference');
  if (references.length !== 1) throw new SamlRefusal('signature_invalid', 'a signature must reference exactly one element');
  const [reference] = references;
  if (reference.getAttribute('URI') !== `#${id}`) throw new SamlRefusal('signature_invalid', 'the signature references another element');

  const signatureAlgorithm = algorithmOf(signedInfo, 'SignatureMethod');
  const digestAlgorithm = algorithmOf(reference, 'DigestMethod');
  if (!allowSha1 && (SHA1.has(signatureAlgorithm) || SHA1.has(digestAlgorithm))) throw new SamlRefusal('digest_algorithm_refused', 'SHA-1 is not allowed');
  if (!SIGNATURE_ALGORITHMS.has(signatureAlgorithm) || !DIGEST_ALGORITHMS.has(digestAlgorithm)) throw new SamlRefusal('signature_invalid', 'unsupported algorithm');
  if (!CANONICALIZATIONS.has(algorithmOf(signedInfo, 'CanonicalizationMethod'))) throw new SamlRefusal('signature_invalid', 'unsupported canonicalization');
  const transforms = onlyChild(reference, NS.dsig, 'Transforms');
  for (const t of transforms ? elementChildren(transforms, NS.dsig, 'Transform') : []) {
    if (!TRANSFORMS.has(t.getAttribute('Algorithm') ?? '')) throw new SamlRefusal('signature_invalid', 'unsupported transform');
  }

  for (const certificate of certificates) {
    const publicCert = publicKeyOf(certificate);
    if (!publicCert) continue;
    const verifier = new SignedXml({ publicCert, getCertFromKeyInfo: () => null });
    // SAML names its id attribute ID; looking for Id and id too would triple xml-crypto's document-wide searches.
    verifier.idAttributes = ['ID'];
    let valid = false;
    try {
      // Inside the try: xml-crypto throws on a Reference it cannot load (no DigestValue), which is a bad signature.
      verifier.loadSignature(signature as unknown as Node);
      valid = verifier.checkSignature(xml);
    } catch {
      valid = false;
    }
    if (!valid) continue;
    const signed = verifier.getSignedReferences();
    if (signed.length !== 1) throw new SamlRefusal('signature_invalid', 'a signature must reference exactly one element');
    const copy = parseSamlXml(signed[0]).documentElement as unknown as Element;
    if (copy.namespaceURI !== element.namespaceURI || copy.localName !== element.localName || copy.getAttribute('ID') !== id) {
      throw new SamlRefusal('signature_invalid', 'the signed element is not the one read');
    }
    return copy;
  }
  throw new SamlRefusal('signature_invalid', 'no IdP certificate verifies the signature');
}
