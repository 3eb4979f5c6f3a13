import type { SamlSettings } from '../connections/connection';
import type { SamlSpUrls } from './saml-urls';
import { escapeXml } from './xml-escape';

const certificateBody = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');

const keyDescriptor = (use: 'signing' | 'encryption', pem: string) =>
  `<md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBody(pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;

/** The SP metadata an IdP admin imports: entity id, ACS (POST), SLO (Redirect and POST), and the connection's own certificates. */
export function spMetadata(urls: SamlSpUrls, saml: Pick<SamlSettings, 'sign_authn_requests' | 'sp_signing_certificate' | 'sp_encryption_certificate'>): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${escapeXml(urls.metadata)}">` +
    `<md:SPSSODescriptor AuthnRequestsSigned="${saml.sign_authn_requests}" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    keyDescriptor('signing', saml.sp_signing_certificate) +
    keyDescriptor('encryption', saml.sp_encryption_certificate) +
    `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${escapeXml(urls.slo)}"/>` +
    `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${escapeXml(urls.slo)}"/>` +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>` +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>` +
    `<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${escapeXml(urls.acs)}" index="0" isDefault="true"/>` +
    `</md:SPSSODescriptor></md:EntityDescriptor>`
  );
}
