import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { publicKeyOf, ScanFreeSignedXml } from './scan-free-signed-xml';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

const response = (assertion: string, extra = '') =>
  `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1">` +
  `<saml:Issuer>https://idp.test</saml:Issuer>${extra}${assertion}</samlp:Response>`;
const assertion = (id: string, who = 'someone@example.com') =>
  `<saml:Assertion ID="${id}"><saml:Issuer>https://idp.test</saml:Issuer><saml:Subject><saml:NameID>${who}</saml:NameID></saml:Subject></saml:Assertion>`;

function sign(xml: string, id: string): string {
  const sig = new SignedXml({ privateKey: keyPem, signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', canonicalizationAlgorithm: EXC_C14N });
  sig.addReference({
    xpath: `//*[@ID='${id}']`,
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', EXC_C14N],
  });
  sig.computeSignature(xml, { location: { reference: `//*[@ID='${id}']/*[local-name(.)='Issuer']`, action: 'after' } });
  return sig.getSignedXml();
}

/** What one verifier concludes about `xml`: its answer or its error, and the bytes it calls signed. */
function outcome(Verifier: typeof SignedXml, xml: string) {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const signature = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0];
  const verifier = new Verifier({ publicCert: publicKeyOf(publicPem), getCertFromKeyInfo: () => null });
  verifier.idAttributes = ['ID'];
  verifier.loadSignature(signature as unknown as Node);
  try {
    return { valid: verifier.checkSignature(xml), signed: verifier.getSignedReferences() };
  } catch (err) {
    return { error: (err as Error).message, signed: verifier.getSignedReferences() };
  }
}

describe('ScanFreeSignedXml', () => {
  const signed = sign(response(assertion('_a1')), '_a1');

  const cases: [string, string][] = [
    ['a signed assertion', signed],
    ['the assertion changed after signing', signed.replace('someone@example.com', 'admin@example.com')],
    [
      'a second element with the same ID (signature wrapping)',
      signed.replace('<saml:Issuer>https://idp.test</saml:Issuer>', `<saml:Issuer>https://idp.test</saml:Issuer><x ID="_a1"/>`),
    ],
    [
      'the same ID in an attribute of another namespace',
      signed.replace('<saml:Issuer>https://idp.test</saml:Issuer>', `<saml:Issuer>https://idp.test</saml:Issuer><x xmlns:f="urn:f" f:ID="_a1"/>`),
    ],
    [
      'a namespace declaration named ID (xpath.js counts it as an attribute)',
      signed.replace('<saml:Issuer>https://idp.test</saml:Issuer>', `<saml:Issuer>https://idp.test</saml:Issuer><x xmlns:ID="_a1"/>`),
    ],
    ['a reference to no element', signed.replace('ID="_a1"', 'ID="_a2"')],
    ['the assertion moved under another parent with other namespaces', signed.replace(/(<saml:Assertion[\s\S]*<\/saml:Assertion>)/, '<w xmlns:w="urn:w">$1</w>')],
  ];

  it.each(cases)('concludes as xml-crypto on %s', (_name, xml) => {
    const expected = outcome(SignedXml, xml);
    expect(outcome(ScanFreeSignedXml, xml)).toEqual(expected);
  });

  it('accepts what is signed and nothing else', () => {
    expect(outcome(ScanFreeSignedXml, cases[0][1])).toEqual({ valid: true, signed: [expect.stringContaining('someone@example.com')] });
    expect(outcome(ScanFreeSignedXml, cases[1][1])).toMatchObject({ valid: false, signed: [] });
    expect(outcome(ScanFreeSignedXml, cases[2][1])).toMatchObject({ error: expect.stringContaining('multiple elements'), signed: [] });
    expect(outcome(ScanFreeSignedXml, cases[3][1])).toMatchObject({ error: expect.stringContaining('multiple elements'), signed: [] });
    expect(outcome(ScanFreeSignedXml, cases[4][1])).toMatchObject({ error: expect.stringContaining('multiple elements'), signed: [] });
  });
});

describe('publicKeyOf', () => {
  it('parses a certificate or key once, and answers undefined for anything else', () => {
    const key = publicKeyOf(publicPem);
    expect(key).toBeInstanceOf(KeyObject);
    expect(publicKeyOf(publicPem)).toBe(key);
    expect(publicKeyOf('-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----')).toBeUndefined();
  });
});
