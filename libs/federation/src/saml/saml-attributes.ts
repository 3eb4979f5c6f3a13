import type { AttributeMapping } from '../connections/connection';
import type { FederatedIdentity } from '../users/federated-identity';
import { EMAIL_FORMAT, VerifiedAssertion } from './saml-response';

/** Attribute names IdPs commonly use, tried when the connection maps nothing (Entra ID, ADFS, Okta, Google). */
const DEFAULTS: Required<AttributeMapping> = {
  email: 'email|mail|emailaddress|http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress|urn:oid:0.9.2342.19200300.100.1.3',
  given_name: 'given_name|givenName|firstName|http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname|urn:oid:2.5.4.42',
  family_name: 'family_name|sn|surname|lastName|http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname|urn:oid:2.5.4.4',
  groups: 'groups|memberOf|http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
};

function values(attributes: Record<string, string[]>, names: string): string[] {
  for (const name of names.split('|')) if (attributes[name]?.length) return attributes[name];
  return [];
}

/** The identity FederatedSignIn links: the NameID as subject, and the mapped (or usual) attributes. */
export function identityFrom(assertion: VerifiedAssertion, mapping: AttributeMapping): FederatedIdentity {
  const pick = (field: keyof AttributeMapping) => values(assertion.attributes, mapping[field] ?? DEFAULTS[field]);
  const email = pick('email')[0] ?? (assertion.nameIdFormat === EMAIL_FORMAT ? assertion.nameId : undefined);
  return {
    subject: assertion.nameId,
    subjectFormat: assertion.nameIdFormat,
    email: email?.slice(0, 254),
    given_name: pick('given_name')[0]?.slice(0, 200),
    family_name: pick('family_name')[0]?.slice(0, 200),
    groups: pick('groups').slice(0, 500),
  };
}
