import { createPublicKey, KeyObject } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { findAncestorNsForElement, validateDigestValue } from 'xml-crypto/lib/utils';

/**
 * xml-crypto's SignedXml, finding nodes by walking the DOM instead of evaluating XPath over the whole
 * document. checkSignature looks the referenced element up with `//*[@*[local-name(.)='ID']='…']`, then
 * once more for its ancestors' namespaces, and the first SignedInfo with `//*[local-name()='SignedInfo']`:
 * on a signed Response that was about a third of the verification's CPU (bench:saml). The walk selects
 * the same nodes (any attribute, namespace declarations included as xpath.js has them, whose local
 * name is an id attribute, in document order; more than one is refused as before); canonicalization, digests and the signature check
 * are xml-crypto's own. Any reference but a same-document `#id` (empty URI, quotes) takes xml-crypto's
 * own path. xml-crypto is pinned in package-lock: its private methods are replaced here, so an upgrade
 * must re-check them (saml-signature.spec.ts compares both on crafted documents).
 */
export class ScanFreeSignedXml extends SignedXml {}

interface Reference {
  uri?: string;
  xpath?: string;
  transforms: string[];
  digestAlgorithm: string;
  digestValue: string;
  inclusiveNamespacesPrefixList: string[];
  ancestorNamespaces?: unknown;
  validationError?: Error;
  getValidatedNode?: unknown;
}
interface Internals {
  idAttributes: string[];
  canonicalize(transforms: string[], node: Node, options: object, flags: { discardComments: boolean }): string;
  findHashAlgorithm(name: string): { getHash(xml: string): string };
  getCanonXml(transforms: string[], node: Node, options: object): string;
  signatureNode?: Node;
  canonicalizationAlgorithm?: string;
}
const base = SignedXml.prototype as unknown as Record<string, (this: Internals, ...a: unknown[]) => unknown>;

/** Elements of `doc` in document order that `//*[@*[local-name(.)=name]=value]` selects. */
function elementsWithId(doc: Document, names: readonly string[], value: string): Element[] {
  const found: Element[] = [];
  const all = doc.getElementsByTagName('*');
  for (let i = 0; i < all.length; i += 1) {
    const attributes = all[i].attributes;
    for (let j = 0; j < attributes.length; j += 1) {
      const a = attributes[j];
      // Namespace declarations count too: xpath.js's attribute axis holds them (xmlns:ID="…" matches).
      if (a.value === value && names.includes(a.localName ?? a.name)) {
        found.push(all[i]);
        break;
      }
    }
  }
  return found;
}

const proto = ScanFreeSignedXml.prototype as unknown as Record<string, unknown>;

proto.validateReference = function validateReference(this: Internals, ref: Reference, doc: Document): string | undefined {
  if (!ref.uri?.startsWith('#') || ref.uri.length < 2 || ref.uri.includes("'")) return base.validateReference.call(this, ref, doc) as string | undefined;
  const uri = ref.uri.substring(1);
  // As xml-crypto: the matches of every id attribute name together must be one element.
  let elem: Element | undefined;
  let count = 0;
  for (const attr of this.idAttributes) {
    const matches = elementsWithId(doc, [attr], uri);
    if (!matches.length) continue;
    count += matches.length;
    if (count > 1) {
      throw new Error(
        'Cannot validate a document which contains multiple elements with the same value for the ID / Id / Id attributes, in order to prevent signature wrapping attack.',
      );
    }
    elem = matches[0];
    ref.xpath = `//*[@*[local-name(.)='${attr}']='${uri}']`;
  }
  if (!elem) {
    ref.validationError = new Error(`invalid signature: the signature references an element with uri ${ref.uri} but could not find such element in the xml`);
    return undefined;
  }
  // xml-crypto's getCanonReferenceXml, with the ancestors of the element found rather than of a second XPath search.
  if (Array.isArray(ref.transforms)) ref.ancestorNamespaces = findAncestorNsForElement(elem);
  const c14nOptions = { inclusiveNamespacesPrefixList: ref.inclusiveNamespacesPrefixList, ancestorNamespaces: ref.ancestorNamespaces };
  const canonXml = this.canonicalize(ref.transforms, elem, c14nOptions, { discardComments: true });
  const digest = this.findHashAlgorithm(ref.digestAlgorithm).getHash(canonXml);
  if (!validateDigestValue(digest, ref.digestValue)) {
    ref.validationError = new Error(`invalid signature: for uri ${ref.uri} calculated digest is ${digest} but the xml to validate supplies digest ${ref.digestValue}`);
    return undefined;
  }
  return canonXml;
};

proto.getCanonSignedInfoXml = function getCanonSignedInfoXml(this: Internals, doc: Document): string {
  const signedInfo = this.signatureNode && elementChildrenNamed(this.signatureNode, 'SignedInfo');
  if (!signedInfo || signedInfo.length !== 1 || typeof this.canonicalizationAlgorithm !== 'string' || !doc || typeof doc !== 'object') {
    return base.getCanonSignedInfoXml.call(this, doc) as string;
  }
  // The first SignedInfo of the document, as xml-crypto's `//*[local-name()='SignedInfo']` finds it.
  const first = doc.getElementsByTagNameNS('*', 'SignedInfo')[0];
  const ancestorNamespaces = first ? findAncestorNsForElement(first) : [];
  return this.getCanonXml([this.canonicalizationAlgorithm], signedInfo[0], { ancestorNamespaces });
};

/** xml-crypto's findChildren: children of that local name in any namespace. */
function elementChildrenNamed(node: Node, localName: string): Element[] {
  const element = (node as Document).documentElement ?? node;
  const out: Element[] = [];
  for (let n = element.firstChild; n; n = n.nextSibling) if (n.nodeType === 1 && (n as Element).localName === localName) out.push(n as Element);
  return out;
}

/** Certificates as public keys, parsed once per thread: verifying with a PEM certificate parses it every time. */
const keys = new Map<string, KeyObject | null>();
const MAX_KEYS = 256;

export function publicKeyOf(certificate: string): KeyObject | undefined {
  let key = keys.get(certificate);
  if (key === undefined) {
    try {
      key = createPublicKey(certificate);
    } catch {
      key = null;
    }
    if (keys.size >= MAX_KEYS) keys.delete(keys.keys().next().value as string);
    keys.set(certificate, key);
  }
  return key ?? undefined;
}
