import type { Entry } from 'ldapts';
import { disabledInDirectory, subjectOf } from '@credence/federation';
import type { Connection } from '@credence/federation';
import { USERNAME_PATTERN } from '@credence/identity';
import { checkRecord, isRecordError, RecordError, SyncUserRecord } from '../batch/sync-user-record';
import { parseGeneralizedTime } from './ldap-source';

const MAX_GROUPS = 1000;

function texts(entry: Entry, name: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  if (!key || key === 'dn') return [];
  const value = entry[key];
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
}

/** A DN as the group map keys it: lower-cased, no spaces around the RDN separators. */
export const dnKey = (dn: string) =>
  dn
    .toLowerCase()
    .replace(/\s*,\s*/g, ',')
    .trim();

/** The attributes a user page asks for. */
export function entryAttributes(connection: Connection, usernameAttr: string): string[] {
  const m = connection.attributeMapping ?? {};
  return [
    'entryUUID',
    'objectGUID',
    'userAccountControl',
    'pwdAccountLockedTime',
    'modifyTimestamp',
    'uSNChanged',
    ...new Set([usernameAttr, 'uid', 'sAMAccountName']),
    m.email ?? 'mail',
    m.given_name ?? 'givenName',
    m.family_name ?? 'sn',
    m.groups ?? 'memberOf',
  ];
}

/**
 * A directory entry as a sync record, checked exactly as a record of POST /sync/users is: the
 * entryUUID/objectGUID as external_id (the subject LDAP sign-in links by), the sign-in filter's
 * attribute as username, the mapped mail and names, `inactive` for an account the directory disables
 * (AD ACCOUNTDISABLE, ppolicy administrative lock), modifyTimestamp as updated_at, and the groups
 * (memberOf and the group map, as lower-cased DNs; the group → role rules match them by DN or CN).
 */
export function entryRecord(entry: Entry, connection: Connection, usernameAttr: string, groupMap: Map<string, string[]>): SyncUserRecord | RecordError {
  const m = connection.attributeMapping ?? {};
  const external = subjectOf(entry);
  if (!external) return { external_id: null, code: 'validation.failed', message: `the entry ${entry.dn.slice(0, 200)} has no entryUUID or objectGUID` };
  const first = (name: string) => texts(entry, name)[0];
  const stamp = parseGeneralizedTime(first('modifyTimestamp'));
  const checked = checkRecord({
    external_id: external,
    username: usernameOf(entry, usernameAttr),
    email: first(m.email ?? 'mail') ?? '',
    status: disabledInDirectory(entry) ? 'inactive' : 'active',
    given_name: first(m.given_name ?? 'givenName')?.slice(0, 100) ?? null,
    family_name: first(m.family_name ?? 'sn')?.slice(0, 100) ?? null,
    ...(stamp !== undefined ? { updated_at: new Date(stamp).toISOString() } : {}),
  });
  if (isRecordError(checked)) return checked;
  const groups = new Set([...texts(entry, m.groups ?? 'memberOf').map(dnKey), ...(groupMap.get(dnKey(entry.dn)) ?? [])]);
  checked.groups = [...groups].sort().slice(0, MAX_GROUPS);
  return checked;
}

/**
 * The sign-in filter's attribute when it is a valid Credence username; otherwise (AD signing in by
 * userPrincipalName, an address, which a username may not be) sAMAccountName or uid.
 */
function usernameOf(entry: Entry, usernameAttr: string): string {
  const candidates = [usernameAttr, 'sAMAccountName', 'uid'].map((name) => texts(entry, name)[0]).filter((v): v is string => v !== undefined);
  return candidates.find((v) => USERNAME_PATTERN.test(v)) ?? candidates[0] ?? '';
}

/** The entry's change stamp: uSNChanged (AD) or modifyTimestamp, for the next high-water mark. */
export function entryStamp(entry: Entry): { usn?: bigint; ms?: number } {
  const usn = texts(entry, 'uSNChanged')[0];
  return { usn: usn && /^\d+$/.test(usn) ? BigInt(usn) : undefined, ms: parseGeneralizedTime(texts(entry, 'modifyTimestamp')[0]) };
}

export { texts as entryValues };
