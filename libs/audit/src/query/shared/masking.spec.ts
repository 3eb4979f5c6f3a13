import { isPersonalSubject, maskDetails, maskSubject } from './masking';

describe('subject masking', () => {
  it.each([
    ['ip/127.0.0.1', true, 'ip/***'],
    ['ip/2001:db8::1', true, 'ip/***'],
    ['mailbox/grace@example.com', true, 'mailbox/***'],
    ['grace@example.com', true, '***'],
    ['user/0196b8f1-7a4c-7d2e-9f00-123456789abc', false, 'user/0196b8f1-7a4c-7d2e-9f00-123456789abc'],
    ['audit/acme', false, 'audit/acme'],
    ['zip/12345', false, 'zip/12345'],
  ])('%s: personal %s, masked %s', (subject, personal, masked) => {
    expect(isPersonalSubject(subject)).toBe(personal);
    expect(maskSubject(subject, false)).toBe(masked);
    expect(maskSubject(subject, true)).toBe(subject);
  });

  it('masks the countries of rule evidence and nothing else', () => {
    const payload = { rule: 'audit.impossible_travel', details: { countries: ['FR', 'JP'], window_seconds: 3600 } };
    expect(maskDetails(payload, false)).toEqual({ rule: 'audit.impossible_travel', details: { countries: ['***', '***'], window_seconds: 3600 } });
    expect(maskDetails(payload, true)).toBe(payload);
    expect(maskDetails({ i: 1 }, false)).toEqual({ i: 1 });
  });
});
