import { identityFrom, missingClaims } from './oidc-claims';

describe('OIDC claims → FederatedIdentity', () => {
  it('takes sub as the subject and the usual claims, the ID token winning over userinfo', () => {
    const identity = identityFrom(
      { sub: 'abc', email: 'ada@corp.example', given_name: 'Ada' },
      { sub: 'abc', email: 'other@corp.example', family_name: 'Lovelace', groups: ['eng'] },
      {},
    );
    expect(identity).toEqual({ subject: 'abc', email: 'ada@corp.example', given_name: 'Ada', family_name: 'Lovelace', groups: ['eng'] });
  });

  it('follows the connection’s mapping, and accepts a single group as a string', () => {
    const identity = identityFrom({ sub: 'abc', mail: 'a@corp.example', team: 'ops' }, undefined, { email: 'mail', groups: 'team' });
    expect(identity).toMatchObject({ email: 'a@corp.example', groups: ['ops'] });
  });

  it('drops an e-mail the IdP says is not verified (it must not link or create an account)', () => {
    expect(identityFrom({ sub: 'abc', email: 'victim@corp.example', email_verified: false }, undefined, {}).email).toBeUndefined();
    expect(identityFrom({ sub: 'abc', email: 'ada@corp.example', email_verified: true }, undefined, {}).email).toBe('ada@corp.example');
  });

  it('asks userinfo only for a missing e-mail or an explicitly mapped claim', () => {
    expect(missingClaims({ sub: 'a', email: 'a@x.example' }, {})).toBe(false);
    expect(missingClaims({ sub: 'a' }, {})).toBe(true);
    expect(missingClaims({ sub: 'a', email: 'a@x.example' }, { groups: 'groups' })).toBe(true);
    expect(missingClaims({ sub: 'a', email: 'a@x.example', groups: [] }, { groups: 'groups' })).toBe(false);
  });
});
