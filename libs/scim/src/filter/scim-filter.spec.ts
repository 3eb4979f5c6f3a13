import { DomainError } from '@credence/errors';
import { USER_ATTRIBUTES } from '../users/user-resource';
import { evaluateFilter } from './evaluate-filter';
import { parseFilter } from './scim-filter';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const bjensen = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: 'Bjensen-1',
  userName: 'bjensen@example.com',
  displayName: "Barbara O'Malley",
  name: { givenName: 'Barbara', familyName: "O'Malley" },
  title: 'Tour Guide',
  userType: 'Employee',
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  [ENTERPRISE]: { department: 'Tour Operations', manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } },
  meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z' },
};
const intern = { ...bjensen, id: 'x', userName: 'jintern@example.org', userType: 'Intern', title: undefined, emails: [{ value: 'j@example.org', type: 'work' }] };

const matches = (filter: string, resource: object = bjensen) => evaluateFilter(parseFilter(filter, USER_ATTRIBUTES), resource, USER_ATTRIBUTES);
const refusal = (filter: string) => {
  try {
    parseFilter(filter, USER_ATTRIBUTES);
  } catch (err) {
    return err instanceof DomainError ? err.code : `not a DomainError: ${String(err)}`;
  }
  return 'accepted';
};

describe('SCIM filters (scim2-parse-filter, checked and evaluated here)', () => {
  // RFC 7644 §3.4.2.2's examples, against a user they describe.
  it.each([
    ['userName eq "bjensen@example.com"', true],
    ['name.familyName co "O\'Malley"', true],
    ['userName sw "B"', true],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bj"', true],
    ['title pr', true],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', false],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', true],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', false],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', true],
    ['title pr and userType eq "Employee"', true],
    ['title pr or userType eq "Intern"', true],
    ['schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"', true],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', true],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', false],
    ['userType eq "Employee" and (emails.type eq "work")', true],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', true],
    ['emails[type eq "work" and value co "@example.com"] or emails[type eq "xmpp" and value co "@foo.com"]', true],
  ])('%s → %s', (filter, expected) => expect(matches(filter)).toBe(expected));

  it('keeps `not (...)` after `and` (scimmy 1.3.5 drops it)', () => {
    expect(matches('userType eq "Employee" and not (title pr)')).toBe(false);
    expect(matches('userType eq "Intern" and not (emails.value ew ".com")', intern)).toBe(true);
    expect(matches('userType eq "Intern" and not (emails.value ew ".org")', intern)).toBe(false);
  });

  it('compares userName case-insensitively and id, externalId case-exactly (RFC 7643 §4.1, §3.1)', () => {
    expect(matches('userName eq "BJENSEN@Example.COM"')).toBe(true);
    expect(matches('externalId eq "bjensen-1"')).toBe(false);
    expect(matches('externalId eq "Bjensen-1"')).toBe(true);
  });

  it('reads the enterprise extension by URN, and ne/pr/null as RFC 7644 says', () => {
    expect(matches(`${ENTERPRISE}:department eq "tour operations"`)).toBe(true);
    expect(matches(`${ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toBe(true);
    expect(matches('title ne "Tour Guide"')).toBe(false);
    expect(matches('title pr', intern)).toBe(false);
    expect(matches('active eq true')).toBe(true);
    expect(matches('active ne true')).toBe(false);
  });

  it.each(
    [
      'userName eq', // no value (scimmy 1.3.5 accepts it)
      'userName eq "a" junk',
      'userName zz "a"',
      '(userName eq "a"',
      'userName eq "unterminated',
      'password eq "x"', // not a filterable attribute
      'active gt true',
      'active eq "yes"',
      'meta.created gt "not a date"',
      'userName gt 5',
      '',
    ].filter(Boolean),
  )('refuses %j with invalidFilter', (filter) => expect(refusal(filter)).toBe('scim.invalid_filter'));

  it('refuses a deeply nested or huge filter before the recursive parser sees it', () => {
    expect(refusal(`${'('.repeat(5000)}title pr${')'.repeat(5000)}`)).toBe('scim.invalid_filter');
    expect(refusal(`userName eq "${'a'.repeat(5000)}"`)).toBe('scim.invalid_filter');
  });

  it('counts only the nesting outside quoted values: a value of ")))" cannot pay for deeper grouping, and "((((" is just text', () => {
    const deep = `${'('.repeat(17)}title pr${')'.repeat(17)}`;
    expect(refusal(deep)).toBe('scim.invalid_filter');
    expect(refusal(`title eq "${')'.repeat(40)}" or ${deep}`)).toBe('scim.invalid_filter');
    expect(refusal(`title eq "a \\" ${')'.repeat(40)}" or ${deep}`)).toBe('scim.invalid_filter');
    expect(matches(`title eq "${'('.repeat(40)}" or title eq "Tour Guide"`)).toBe(true);
    expect(matches(`${'('.repeat(16)}title eq "Tour Guide"${')'.repeat(16)}`)).toBe(true);
  });
});
