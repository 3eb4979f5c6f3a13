import type { Connection } from '@credence/federation';
import { entryRecord } from './entry-record';
import { changedSince, everyUserFilter, formatGeneralizedTime, parseGeneralizedTime, usernameAttribute } from './ldap-source';
import { StampTracker } from './run-ldap-sync/stamp-tracker';

const connection = (filter: string): Connection =>
  ({
    id: '0193a000-0000-7000-8000-000000000001',
    type: 'ldap',
    attributeMapping: {},
    groupRoleMapping: [],
    ldap: { user_search_filter: filter, user_search_base: 'ou=people,dc=x', timeout_ms: 1000 },
  }) as unknown as Connection;

describe('LDAP sync helpers', () => {
  it('derives the every-user filter and the username attribute from the sign-in filter', () => {
    expect(everyUserFilter(connection('(&(objectClass=person)(uid={{username}}))'))).toBe('(&(objectClass=person)(uid=*))');
    expect(usernameAttribute(connection('(sAMAccountName={{username}})'))).toBe('sAMAccountName');
    expect(usernameAttribute(connection('(cn=fixed)'))).toBe('uid');
  });

  it('reads and writes GeneralizedTime, refusing what is not one', () => {
    expect(parseGeneralizedTime('20260101093000Z')).toBe(Date.UTC(2026, 0, 1, 9, 30, 0));
    expect(parseGeneralizedTime('20260101093000.5Z')).toBe(Date.UTC(2026, 0, 1, 9, 30, 0));
    expect(parseGeneralizedTime('2026-01-01')).toBeUndefined();
    expect(parseGeneralizedTime(undefined)).toBeUndefined();
    expect(formatGeneralizedTime(Date.UTC(2026, 0, 1, 9, 30, 0, 250))).toBe('20260101093000Z');
  });

  it('asks for entries changed strictly after the mark', () => {
    expect(changedSince('(uid=*)', { kind: 'timestamp', value: '20260101000000Z' })).toBe('(&(uid=*)(!(modifyTimestamp<=20260101000000Z)))');
    expect(changedSince('(uid=*)', { kind: 'usn', value: '41' })).toBe('(&(uid=*)(uSNChanged>=42))');
  });

  it('keeps the timestamp mark behind the run start, never moves it back, and uses the USN read at the start on AD', () => {
    const start = Date.UTC(2026, 11, 6, 12, 0, 0);
    const fresh = new StampTracker(null, undefined, start);
    fresh.see({ ms: start - 1000 });
    expect(fresh.next()).toEqual({ kind: 'timestamp', value: formatGeneralizedTime(start - 5 * 60_000) });
    const old = new StampTracker(null, undefined, start);
    old.see({ ms: Date.UTC(2026, 0, 1) });
    expect(old.next()).toEqual({ kind: 'timestamp', value: '20260101000000Z' });
    const idle = new StampTracker({ kind: 'timestamp', value: '20260601000000Z' }, undefined, start);
    expect(idle.see({ ms: Date.UTC(2026, 5, 1) })).toBe(false);
    expect(idle.see({ ms: Date.UTC(2026, 5, 1, 0, 0, 1) })).toBe(true);
    expect(idle.next()).toEqual({ kind: 'timestamp', value: '20260601000001Z' });
    const ad = new StampTracker({ kind: 'usn', value: '100' }, '250', start);
    expect(ad.see({ usn: 100n })).toBe(false);
    expect(ad.see({ usn: 101n })).toBe(true);
    expect(ad.next()).toEqual({ kind: 'usn', value: '250' });
    // A directory that turned out to be AD (or stopped being it): the old mark is not used.
    expect(new StampTracker({ kind: 'timestamp', value: '20260601000000Z' }, '250', start).from).toBeNull();
  });

  it('maps an entry as a sync record, checked like a batch record', () => {
    const entry = {
      dn: 'uid=ada,ou=people,dc=x',
      entryUUID: 'AAAAAAAA-0000-4000-8000-000000000001',
      uid: 'ada',
      mail: 'ada@x.example',
      givenName: 'Ada',
      sn: 'Lovelace',
      memberOf: ['CN=Admins, OU=Groups,DC=x'],
      modifyTimestamp: '20260101093000Z',
      userAccountControl: '514',
    };
    const groups = new Map([['uid=ada,ou=people,dc=x', ['cn=staff,ou=groups,dc=x']]]);
    expect(entryRecord(entry, connection('(uid={{username}})'), 'uid', groups)).toEqual({
      external_id: 'aaaaaaaa-0000-4000-8000-000000000001',
      username: 'ada',
      email: 'ada@x.example',
      status: 'inactive',
      given_name: 'Ada',
      family_name: 'Lovelace',
      attributes: {},
      groups: ['cn=admins,ou=groups,dc=x', 'cn=staff,ou=groups,dc=x'],
      updated_at: '2026-01-01T09:30:00.000Z',
    });
    // AD signing in by userPrincipalName: the username falls back to sAMAccountName.
    const upn = { ...entry, userPrincipalName: 'ada@x.example', sAMAccountName: 'ada.l' };
    expect(entryRecord(upn, connection('(userPrincipalName={{username}})'), 'userPrincipalName', new Map())).toMatchObject({ username: 'ada.l' });
    expect(entryRecord({ ...entry, mail: 'not an address' }, connection('(uid={{username}})'), 'uid', groups)).toMatchObject({ code: 'validation.failed' });
    expect(entryRecord({ dn: 'uid=x', uid: 'x' }, connection('(uid={{username}})'), 'uid', groups)).toMatchObject({ external_id: null, code: 'validation.failed' });
  });
});
