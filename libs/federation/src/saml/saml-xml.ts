import { DOMParser } from '@xmldom/xmldom';

export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
} as const;

/** A SAML message that cannot be read; `reason` is the federation.login.failed reason. */
export class SamlRefusal extends Error {
  constructor(
    readonly reason: import('@credence/contracts').FederationFailureReason,
    detail: string,
  ) {
    super(detail);
  }
}

/** Any DTD, entity or processing of one is refused before parsing (XXE, billion laughs). */
const DTD = /<!DOCTYPE|<!ENTITY/i;

/** Parses a SAML document strictly: no DTD, no parser warnings or errors, an element at the root. */
/**
 * At most this many markup openings ('<') in a SAML message. A real Response has well under 300
 * elements (Entra ID caps a group claim at 150 values); the byte limit alone lets 40,000 empty
 * elements through, which hold the event loop for 2 s in xml-crypto's document-wide XPath searches
 * (found by bench:saml; about 0.07 ms per element). Counted before parsing, so such a document costs
 * one scan; at the limit a refusal costs about 70 ms.
 */
export const SAML_MAX_MARKUP = 1_024;

function markupCount(xml: string): number {
  let count = 0;
  for (let i = xml.indexOf('<'); i !== -1 && count <= SAML_MAX_MARKUP; i = xml.indexOf('<', i + 1)) count += 1;
  return count;
}

export function parseSamlXml(xml: string): Document {
  if (DTD.test(xml)) throw new SamlRefusal('malformed', 'a DOCTYPE is refused');
  if (markupCount(xml) > SAML_MAX_MARKUP) throw new SamlRefusal('too_large', `more than ${SAML_MAX_MARKUP} elements`);
  const fail = (msg: string) => {
    throw new SamlRefusal('malformed', `unreadable XML: ${msg}`);
  };
  const doc = new DOMParser({ errorHandler: { warning: fail, error: fail, fatalError: fail } }).parseFromString(xml, 'text/xml');
  if (!doc?.documentElement) throw new SamlRefusal('malformed', 'no root element');
  return doc as unknown as Document;
}

export function elementChildren(parent: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === localName) out.push(n as Element);
  }
  return out;
}

/** The only such child, undefined when absent; several are malformed. */
export function onlyChild(parent: Element, ns: string, localName: string): Element | undefined {
  const found = elementChildren(parent, ns, localName);
  if (found.length > 1) throw new SamlRefusal('malformed', `more than one ${localName}`);
  return found[0];
}

/** Every descendant element with this local name, in any namespace (counting what a wrapper may hide). */
export function descendantsNamed(root: Document | Element, localName: string): Element[] {
  return Array.from((root as Element).getElementsByTagNameNS('*', localName) as unknown as ArrayLike<Element>);
}

/**
 * An element's text, refusing anything but text inside (a comment or child element inside a NameID or
 * Issuer is how "comment truncation" changes who signs in: `admin@evil<!---->.example`).
 */
export function plainText(el: Element | undefined): string | undefined {
  if (!el) return undefined;
  let text = '';
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 3 || n.nodeType === 4) text += n.nodeValue ?? '';
    else throw new SamlRefusal('malformed', `${el.localName} holds more than text`);
  }
  return text.trim();
}

/** Every ID/Id/id attribute value is unique in the document: a signature reference names one element. */
export function assertUniqueIds(doc: Document): void {
  const seen = new Set<string>();
  const all = doc.getElementsByTagName('*');
  for (let i = 0; i < all.length; i += 1) {
    const el = all[i];
    for (const name of ['ID', 'Id', 'id']) {
      const value = el.getAttribute(name);
      if (!value) continue;
      if (seen.has(value)) throw new SamlRefusal('malformed', 'an ID appears twice');
      seen.add(value);
    }
  }
}
