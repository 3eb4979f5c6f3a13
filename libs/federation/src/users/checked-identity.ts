import { isEmail } from 'class-validator';
import type { FederationFailureReason } from '@credence/contracts';
import { simpleLowerCase } from '@credence/identity';
import type { FederatedIdentity } from './federated-identity';

/** Longer than any real subject (SAML NameID ≤ 256, OIDC sub ≤ 255, LDAP GUIDs): a longer one is hostile. */
export const MAX_SUBJECT_LENGTH = 1024;
const MAX_NAME_LENGTH = 200;
const MAX_GROUPS = 1000;
const MAX_GROUP_LENGTH = 1024;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A FederatedIdentity that is safe to store: bounded, no control characters, e-mail lower-cased and well formed. */
export interface CheckedIdentity {
  subject: string;
  subjectFormat?: string;
  email?: string;
  given_name?: string;
  family_name?: string;
  groups: string[];
}

export type IdentityCheck = { ok: true; identity: CheckedIdentity } | { ok: false; reason: FederationFailureReason };

const optionalText = (value: unknown): string | undefined | null => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (!trimmed) return undefined;
  return CONTROL.test(trimmed) || trimmed.length > MAX_NAME_LENGTH ? null : trimmed;
};

/**
 * What the IdP said, checked before anything reaches the database: a missing subject is
 * `subject_missing`; a NUL, a 10 KB subject, an e-mail that is no address, a name with control
 * characters are `malformed` (the protocol checks passed, so the IdP itself sent garbage). Groups are
 * only compared, never stored: entries that are not short strings are dropped, too many is malformed.
 */
export function checkIdentity(raw: FederatedIdentity): IdentityCheck {
  const fail = (reason: FederationFailureReason): IdentityCheck => ({ ok: false, reason });
  if (raw.subject === undefined || raw.subject === null || raw.subject === '') return fail('subject_missing');
  if (typeof raw.subject !== 'string' || raw.subject.length > MAX_SUBJECT_LENGTH || CONTROL.test(raw.subject)) return fail('malformed');
  if (!raw.subject.trim()) return fail('subject_missing');

  let email: string | undefined;
  if (raw.email !== undefined && raw.email !== null && raw.email !== '') {
    if (typeof raw.email !== 'string') return fail('malformed');
    // As Postgres's lower() gives it: the users are found by lower(email) = this (İ is i there, not i and a dot).
    email = simpleLowerCase(raw.email.trim());
    if (email.length > 254 || CONTROL.test(email) || !isEmail(email, { allow_display_name: false, allow_ip_domain: false })) return fail('malformed');
  }
  const given = optionalText(raw.given_name);
  const family = optionalText(raw.family_name);
  if (given === null || family === null) return fail('malformed');

  const format = raw.subjectFormat;
  if (format !== undefined && (typeof format !== 'string' || format.length > 256 || CONTROL.test(format))) return fail('malformed');

  const groups = Array.isArray(raw.groups) ? raw.groups : [];
  if (groups.length > MAX_GROUPS) return fail('malformed');
  return {
    ok: true,
    identity: {
      subject: raw.subject,
      ...(format ? { subjectFormat: format } : {}),
      ...(email ? { email } : {}),
      ...(given ? { given_name: given } : {}),
      ...(family ? { family_name: family } : {}),
      groups: groups.filter((g): g is string => typeof g === 'string' && g.length > 0 && g.length <= MAX_GROUP_LENGTH),
    },
  };
}
