import { parseSamlXml, SAML_MAX_MARKUP } from './saml-xml';

describe('parseSamlXml', () => {
  const doc = (inner: string) => `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">${inner}</samlp:Response>`;

  it('refuses a document with more elements than any real Response has, before parsing', () => {
    expect(() => parseSamlXml(doc('<e/>'.repeat(40_000)))).toThrow(expect.objectContaining({ reason: 'too_large' }));
    expect(() => parseSamlXml(doc('<e/>'.repeat(SAML_MAX_MARKUP)))).toThrow(expect.objectContaining({ reason: 'too_large' }));
  });

  it('reads a document at the limit', () => {
    expect(parseSamlXml(doc('<e/>'.repeat(SAML_MAX_MARKUP - 2))).documentElement.childNodes.length).toBe(SAML_MAX_MARKUP - 2);
  });

  it('refuses a DOCTYPE', () => {
    expect(() => parseSamlXml(`<!DOCTYPE x [<!ENTITY a "b">]>${doc('')}`)).toThrow(expect.objectContaining({ reason: 'malformed' }));
  });
});
