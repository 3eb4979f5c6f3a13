import type { FederationFailureReason } from '@credence/contracts';

/** What an IdP said about the user, after every protocol check passed (SAML assertion, OIDC ID token, LDAP entry). */
export interface FederatedIdentity {
  /** The IdP's stable subject for the user (SAML persistent NameID or mapped attribute, OIDC sub, LDAP entryUUID/objectGUID). */
  subject: string;
  /** The subject's format, when the protocol has one (a SAML NameID's Format): single logout names the user with both. */
  subjectFormat?: string;
  email?: string;
  given_name?: string;
  family_name?: string;
  /** Group names (or LDAP DNs) for the group → role rules. */
  groups: string[];
}

export type FederatedSignInSuccess = { ok: true; userId: string; jitCreated: boolean };
export type FederatedSignInRefusal = { ok: false; reason: FederationFailureReason; userId: string | null };
export type FederatedSignInResult = FederatedSignInSuccess | FederatedSignInRefusal;
