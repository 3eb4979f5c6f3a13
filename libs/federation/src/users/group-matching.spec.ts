import { rolesForGroups } from './group-matching';

describe('rolesForGroups', () => {
  const rules = [
    { group: 'Engineering', role: 'developer' },
    { group: 'CN=Admins,OU=Groups,DC=acme,DC=com', role: 'tenant_admin' },
    { group: 'auditors', role: 'auditor' },
    { group: 'Smith, John', role: 'odd' },
  ];

  it('matches a plain group name case-insensitively and ignores surrounding spaces', () => {
    expect(rolesForGroups(rules, ['engineering'])).toEqual(['developer']);
    expect(rolesForGroups(rules, ['  ENGINEERING '])).toEqual(['developer']);
    expect(rolesForGroups(rules, ['engineers'])).toEqual([]);
  });

  it('matches an LDAP DN by its full DN (spacing and case aside) or by its CN', () => {
    expect(rolesForGroups(rules, ['cn=admins, ou=groups, dc=acme, dc=com'])).toEqual(['tenant_admin']);
    expect(rolesForGroups(rules, ['CN=Auditors,OU=Groups,DC=acme,DC=com'])).toEqual(['auditor']);
    expect(rolesForGroups(rules, ['CN=Smith\\, John,OU=People,DC=acme'])).toEqual(['odd']);
    // A DN whose first RDN is not a CN answers only to its full DN.
    expect(rolesForGroups(rules, ['OU=auditors,DC=acme'])).toEqual([]);
    // A rule naming the CN only of a different DN does not match another DN sharing a later RDN.
    expect(rolesForGroups(rules, ['CN=Admins,OU=Other,DC=acme,DC=com'])).toEqual([]);
  });

  it('returns each role once and survives junk rules and groups', () => {
    const junk = [...rules, { group: 'engineering', role: 'developer' }, null, { group: 3, role: 'x' }] as never[];
    expect(rolesForGroups(junk, ['Engineering', 'engineering', '', '='])).toEqual(['developer']);
  });
});
