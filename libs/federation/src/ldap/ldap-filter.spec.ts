import { AD_NESTED_GROUP_FILTER, escapeFilterValue, fillFilter, filterTemplateProblem } from './ldap-filter';

describe('escapeFilterValue (RFC 4515)', () => {
  it.each([
    ['ada', 'ada'],
    ['*', '\\2a'],
    ['*)(uid=*', '\\2a\\29\\28uid=\\2a'],
    ['admin)(|(uid=*', 'admin\\29\\28|\\28uid=\\2a'],
    ['back\\slash', 'back\\5cslash'],
    ['nul\u0000byte', 'nul\\00byte'],
    ['Zoë Ünïcode', 'Zoë Ünïcode'],
    ['ada@corp.example', 'ada@corp.example'],
  ])('%j becomes %j', (input, escaped) => {
    expect(escapeFilterValue(input)).toBe(escaped);
  });
});

describe('fillFilter', () => {
  it('fills every placeholder with the escaped value and leaves the template alone', () => {
    expect(fillFilter('(|(uid={{username}})(mail={{username}}))', { username: '*)(objectClass=*' })).toBe(
      '(|(uid=\\2a\\29\\28objectClass=\\2a)(mail=\\2a\\29\\28objectClass=\\2a))',
    );
  });

  it('keeps replacement patterns in a value literal', () => {
    expect(fillFilter('(uid={{username}})', { username: "$&$'$`" })).toBe("(uid=$&$'$`)");
  });

  it('escapes a DN for a group search, including the nested-group rule of Active Directory', () => {
    expect(fillFilter(AD_NESTED_GROUP_FILTER, { username: 'x', dn: 'CN=Smith\\, J (ops),OU=People' })).toBe(
      '(member:1.2.840.113556.1.4.1941:=CN=Smith\\5c, J \\28ops\\29,OU=People)',
    );
  });
});

describe('filterTemplateProblem', () => {
  it('accepts filters and refuses what does not parse', () => {
    expect(filterTemplateProblem('(uid={{username}})')).toBeUndefined();
    expect(filterTemplateProblem('(&(objectClass=user)(sAMAccountName={{username}}))')).toBeUndefined();
    expect(filterTemplateProblem(AD_NESTED_GROUP_FILTER)).toBeUndefined();
    expect(filterTemplateProblem('(uid={{username}}')).toMatch(/not a valid LDAP filter/);
    expect(filterTemplateProblem('uid={{username}})(')).toMatch(/not a valid LDAP filter/);
  });
});
