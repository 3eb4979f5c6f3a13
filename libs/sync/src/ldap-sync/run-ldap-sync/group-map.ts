import type { LdapReadSession } from '@credence/federation';
import { dnKey, entryStamp, entryValues } from '../entry-record';
import { EVERY_GROUP_FILTER, LDAP_PAGE_SIZE } from '../ldap-source';
import type { StampTracker } from './stamp-tracker';

/**
 * Every group under group_search_base with its members (paged), as member DN → group DNs. Groups are
 * read whole on every run, full or incremental: a membership that ended shows only here, and a group
 * changed since the high-water mark makes an incremental run read every user (see RunLdapSync).
 */
export async function readGroupMap(session: LdapReadSession, stamps: StampTracker): Promise<{ map: Map<string, string[]>; changed: boolean }> {
  const map = new Map<string, string[]>();
  const base = session.connection.ldap!.group_search_base;
  let changed = false;
  if (!base) return { map, changed };
  for await (const page of session.pages(base, EVERY_GROUP_FILTER, ['member', 'uniqueMember', 'modifyTimestamp', 'uSNChanged'], LDAP_PAGE_SIZE)) {
    for (const group of page) {
      if (stamps.see(entryStamp(group))) changed = true;
      const key = dnKey(group.dn);
      for (const member of [...entryValues(group, 'member'), ...entryValues(group, 'uniqueMember')]) {
        const m = dnKey(member);
        const list = map.get(m);
        if (list) list.push(key);
        else map.set(m, [key]);
      }
    }
  }
  return { map, changed };
}
