import type { Connection } from '@credence/federation';

/** An LDAP connection's sync source name: its runs, sync_state and settings (PUT /sync/sources/{source}) go by it. */
export const ldapSource = (connectionId: string) => `ldap-${connectionId.toLowerCase()}`;
export const connectionOf = (source: string) => (source.startsWith('ldap-') ? source.slice(5) : undefined);
/** `ldap-` and a UUID: an LDAP connection's source, which the batch API refuses (`ldap-main` and the like stay free). */
export const LDAP_SOURCE = /^ldap-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isLdapSource = (source: string) => LDAP_SOURCE.test(source);

/** Entries per LDAP page (RFC 2696) and so per transaction: the sync API's chunk size. */
export const LDAP_PAGE_SIZE = 500;

/** A filter for every user: the connection's sign-in filter with `{{username}}` as a presence test (`(uid={{username}})` → `(uid=*)`). */
export const everyUserFilter = (connection: Connection) => connection.ldap!.user_search_filter.replace(/\{\{username\}\}/g, '*');

/** The attribute the sign-in filter compares the username with: the synced user's username (`uid`, `sAMAccountName`, ...). */
export function usernameAttribute(connection: Connection): string {
  const m = /\(([A-Za-z][A-Za-z0-9-]*)=\{\{username\}\}\)/.exec(connection.ldap!.user_search_filter);
  return m?.[1] ?? 'uid';
}

/** Groups the sync reads under group_search_base: groupOfNames, groupOfUniqueNames and AD groups, with their members. */
export const EVERY_GROUP_FILTER = '(|(member=*)(uniqueMember=*))';

/** Where an incremental run starts: Active Directory's uSNChanged, or modifyTimestamp (OpenLDAP and the others). */
export type HighWater = { kind: 'usn'; value: string } | { kind: 'timestamp'; value: string };

/**
 * The entries changed after the mark: `(uSNChanged>=N+1)`, or modifyTimestamp strictly after T written
 * `(!(modifyTimestamp<=T))` (LDAP has no `>`). Strictly: the mark is at least StampTracker's margin
 * before the start of the run that set it, so that run saw every change of the mark's own second.
 */
export function changedSince(filter: string, hw: HighWater): string {
  if (hw.kind === 'usn') return `(&${filter}(uSNChanged>=${BigInt(hw.value) + 1n}))`;
  return `(&${filter}(!(modifyTimestamp<=${hw.value})))`;
}

/** RFC 4517 GeneralizedTime as directories write it (`20261206083000Z`, maybe with fractions) → epoch ms. */
export function parseGeneralizedTime(value: string | undefined): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:[.,]\d+)?Z$/.exec(value ?? '');
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
  return Number.isNaN(ms) ? undefined : ms;
}

export function formatGeneralizedTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}
