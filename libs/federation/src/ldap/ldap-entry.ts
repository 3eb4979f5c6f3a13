import type { Entry } from 'ldapts';
import type { AttributeMapping } from '../connections/connection';
import type { FederatedIdentity } from '../users/federated-identity';

/** Active Directory's userAccountControl bit ACCOUNTDISABLE. */
const ACCOUNTDISABLE = 0x2;
/** ppolicy's value for an account locked by an administrator until unlocked (not by failures, which expire). */
const LOCKED_FOR_GOOD = '000001010000Z';
/** objectGUID in the case variants directories return it in: ldapts keeps buffers only for names listed exactly. */
export const BINARY_ATTRIBUTES = ['objectGUID', 'objectGuid', 'objectguid'];

/** The attribute names a user search asks for: the subject, the account state, and the mapped profile fields. */
export function userAttributes(mapping: AttributeMapping): string[] {
  return [
    'entryUUID',
    'objectGUID',
    'userAccountControl',
    'pwdAccountLockedTime',
    'uid',
    mapping.email ?? 'mail',
    mapping.given_name ?? 'givenName',
    mapping.family_name ?? 'sn',
    mapping.groups ?? 'memberOf',
  ];
}

/** Every value of an attribute, found case-insensitively (directories differ in how they spell names). */
function values(entry: Entry, name: string): (string | Buffer)[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  if (!key || key === 'dn') return [];
  const value = entry[key];
  return Array.isArray(value) ? value : [value];
}

const text = (entry: Entry, name: string): string | undefined => {
  const [first] = values(entry, name);
  return typeof first === 'string' ? first : first?.toString('utf8');
};

/** An AD objectGUID in its usual text form: the first three groups are little-endian. */
export function formatObjectGuid(bytes: Buffer): string {
  const hex = (from: number, to: number, reverse: boolean) => {
    const part = Buffer.from(bytes.subarray(from, to));
    return (reverse ? part.reverse() : part).toString('hex');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

/**
 * The name a group search's `{{username}}` stands for: the entry's own `uid` (what RFC 2307's
 * posixGroup lists in memberUid), not what the user typed. The directory finds `ADA`, `ａｄａ` or a
 * mail address for uid `ada`, but memberUid is compared exactly, so the typed spelling would lose
 * the user's groups. An entry without a uid keeps the typed name.
 */
export function groupSearchUsername(entry: Entry, typed: string): string {
  return text(entry, 'uid') ?? typed;
}

/** The directory's stable id for the entry: objectGUID (Active Directory) or entryUUID (RFC 4530, OpenLDAP and most others). */
export function subjectOf(entry: Entry): string | undefined {
  const [guid] = values(entry, 'objectGUID');
  if (Buffer.isBuffer(guid) && guid.length === 16) return formatObjectGuid(guid);
  return text(entry, 'entryUUID')?.toLowerCase();
}

/**
 * A disabled account, known from the entry alone: AD's ACCOUNTDISABLE bit, or a ppolicy lock set by
 * an administrator. A lock after failed binds is left to the directory, which refuses the bind while
 * it lasts (and only it knows pwdLockoutDuration).
 */
export function disabledInDirectory(entry: Entry): boolean {
  const control = Number(text(entry, 'userAccountControl'));
  if (Number.isInteger(control) && (control & ACCOUNTDISABLE) !== 0) return true;
  return text(entry, 'pwdAccountLockedTime') === LOCKED_FOR_GOOD;
}

/** The identity the entry describes, for FederatedSignIn (which checks it before anything is stored). */
export function identityOf(entry: Entry, mapping: AttributeMapping, groupDns: readonly string[]): FederatedIdentity {
  const memberOf = values(entry, mapping.groups ?? 'memberOf').map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
  return {
    subject: subjectOf(entry) ?? '',
    email: text(entry, mapping.email ?? 'mail'),
    given_name: text(entry, mapping.given_name ?? 'givenName'),
    family_name: text(entry, mapping.family_name ?? 'sn'),
    groups: [...new Set([...memberOf, ...groupDns])],
  };
}
