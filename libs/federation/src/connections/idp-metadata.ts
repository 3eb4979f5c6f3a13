import { DOMParser } from '@xmldom/xmldom';
import { X509Certificate } from 'node:crypto';

export const MAX_METADATA_BYTES = 256 * 1024;
const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/** What Credence takes from an IdP's SAML metadata. */
export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  sloUrl?: string;
  /** PEM, in document order, duplicates removed. */
  certificates: string[];
}

/** The metadata cannot be used; `issue` says why, for the tenant admin. */
export class MetadataProblem extends Error {
  constructor(readonly issue: string) {
    super(issue);
    this.name = 'MetadataProblem';
  }
}

/** A base64 DER certificate (as XML carries it) as PEM, or undefined when it is not one. */
export function pemFromBase64(b64: string): string | undefined {
  const clean = b64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) return undefined;
  try {
    return new X509Certificate(Buffer.from(clean, 'base64')).toString();
  } catch {
    return undefined;
  }
}

const elementsNS = (parent: Element | Document, ns: string, name: string): Element[] => Array.from(parent.getElementsByTagNameNS(ns, name) as unknown as ArrayLike<Element>);
const children = (parent: Element, ns: string, name: string): Element[] =>
  Array.from(parent.childNodes as unknown as ArrayLike<Node>).filter(
    (n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === name,
  );

/**
 * Parses IdP metadata (an EntityDescriptor, or an EntitiesDescriptor holding exactly one IdP) safely:
 * size-capped, a DOCTYPE (entity expansion, external entities) refused before any parsing, parser
 * warnings and errors treated as refusals. Takes the entityID, the HTTP-Redirect SingleSignOnService and
 * SingleLogoutService locations and every signing certificate (KeyDescriptor use="signing" or no use).
 */
export function parseIdpMetadata(xml: string): IdpMetadata {
  if (Buffer.byteLength(xml, 'utf8') > MAX_METADATA_BYTES) throw new MetadataProblem(`the metadata is larger than ${MAX_METADATA_BYTES / 1024} KB`);
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) throw new MetadataProblem('the metadata has a DOCTYPE, which Credence refuses');
  let doc: Document;
  const fail = (msg: string) => {
    throw new MetadataProblem(`the metadata is not well-formed XML (${msg.split('\n')[0].slice(0, 200)})`);
  };
  try {
    doc = new DOMParser({ errorHandler: { warning: fail, error: fail, fatalError: fail }, locator: {} }).parseFromString(xml, 'text/xml') as unknown as Document;
  } catch (err) {
    if (err instanceof MetadataProblem) throw err;
    throw new MetadataProblem('the metadata is not well-formed XML');
  }
  const root = doc?.documentElement;
  if (!root || root.namespaceURI !== MD || (root.localName !== 'EntityDescriptor' && root.localName !== 'EntitiesDescriptor')) {
    throw new MetadataProblem('the metadata has no SAML 2.0 EntityDescriptor');
  }
  const idpEntities = (root.localName === 'EntityDescriptor' ? [root] : elementsNS(root, MD, 'EntityDescriptor')).filter((e) => children(e, MD, 'IDPSSODescriptor').length);
  if (idpEntities.length !== 1)
    throw new MetadataProblem(idpEntities.length ? 'the metadata describes several IdPs; give the one to use' : 'the metadata has no IDPSSODescriptor');
  const entity = idpEntities[0];
  const entityId = entity.getAttribute('entityID')?.trim();
  if (!entityId) throw new MetadataProblem('the EntityDescriptor has no entityID');
  const idp = children(entity, MD, 'IDPSSODescriptor')[0];
  const location = (name: string) =>
    children(idp, MD, name)
      .find((s) => s.getAttribute('Binding') === REDIRECT)
      ?.getAttribute('Location')
      ?.trim() || undefined;
  const ssoUrl = location('SingleSignOnService');
  if (!ssoUrl) throw new MetadataProblem('the IdP has no SingleSignOnService with the HTTP-Redirect binding');
  const certificates: string[] = [];
  for (const key of children(idp, MD, 'KeyDescriptor')) {
    const use = key.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const cert of elementsNS(key, DS, 'X509Certificate')) {
      const pem = pemFromBase64(cert.textContent ?? '');
      if (!pem) throw new MetadataProblem('a KeyDescriptor holds an X509Certificate that does not parse');
      if (!certificates.includes(pem)) certificates.push(pem);
    }
  }
  if (!certificates.length) throw new MetadataProblem('the IdP lists no signing certificate');
  return { entityId, ssoUrl, sloUrl: location('SingleLogoutService'), certificates };
}
