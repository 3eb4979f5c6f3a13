import type { Entry } from 'ldapts';
import { disabledInDirectory, formatObjectGuid, identityOf, subjectOf } from './ldap-entry';

describe('LDAP entries', () => {
  it('formats an AD objectGUID with its first three groups little-endian', () => {
    const bytes = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    expect(formatObjectGuid(bytes)).toBe('33221100-5544-7766-8899-aabbccddeeff');
  });

  it('prefers objectGUID to entryUUID, and ignores an objectGUID that is not 16 bytes', () => {
    const guid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    expect(subjectOf({ dn: 'x', objectGUID: guid, entryUUID: 'ABC' })).toBe('33221100-5544-7766-8899-aabbccddeeff');
    expect(subjectOf({ dn: 'x', objectGUID: Buffer.alloc(3), entryUUID: 'ABC-D' })).toBe('abc-d');
    expect(subjectOf({ dn: 'x', entryuuid: 'E1' } as Entry)).toBe('e1');
    expect(subjectOf({ dn: 'x' })).toBeUndefined();
  });

  it.each([
    [{ userAccountControl: '514' }, true],
    [{ userAccountControl: '66050' }, true],
    [{ userAccountControl: '512' }, false],
    [{ useraccountcontrol: '2' }, true],
    [{ userAccountControl: 'junk' }, false],
    [{ pwdAccountLockedTime: '000001010000Z' }, true],
    [{ pwdAccountLockedTime: '20260101000000Z' }, false],
    [{}, false],
  ])('%j disabled: %s', (attrs, disabled) => {
    expect(disabledInDirectory({ dn: 'uid=a', ...attrs } as Entry)).toBe(disabled);
  });

  it('maps the profile with the connection mapping and merges memberOf with searched groups', () => {
    const entry = { dn: 'uid=a', entryUUID: 'u-1', userPrincipalName: 'a@corp.example', givenName: 'Ada', sn: 'L', memberOf: ['cn=x,dc=t', 'cn=y,dc=t'] } as Entry;
    expect(identityOf(entry, { email: 'userPrincipalName' }, ['cn=y,dc=t', 'cn=z,dc=t'])).toEqual({
      subject: 'u-1',
      email: 'a@corp.example',
      given_name: 'Ada',
      family_name: 'L',
      groups: ['cn=x,dc=t', 'cn=y,dc=t', 'cn=z,dc=t'],
    });
  });
});
