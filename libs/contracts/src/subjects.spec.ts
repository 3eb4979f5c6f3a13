import { subjects } from './subjects';

describe('subjects', () => {
  it('builds the subject of each aggregate as docs/events.md names it', () => {
    expect(subjects.tenant('acme')).toBe('tenant/acme');
    expect(subjects.user('0190f5a0-0000-7000-8000-000000000001')).toBe('user/0190f5a0-0000-7000-8000-000000000001');
    expect(subjects.session('s1')).toBe('session/s1');
    expect(subjects.role('r1')).toBe('role/r1');
    expect(subjects.apiKey('k1')).toBe('api_key/k1');
    expect(subjects.serviceCredential('c1')).toBe('service_credential/c1');
    expect(subjects.application('a1')).toBe('application/a1');
    expect(subjects.auditTrail('acme')).toBe('audit/acme');
    expect(subjects.retention('platform')).toBe('retention/platform');
    expect(subjects.ip('192.0.2.1')).toBe('ip/192.0.2.1');
  });

  it('names an unknown user or address "unknown", so all such attempts share one aggregate', () => {
    expect(subjects.user(null)).toBe('user/unknown');
    expect(subjects.user(undefined)).toBe('user/unknown');
    expect(subjects.ip(null)).toBe('ip/unknown');
  });

  it('gives different aggregates of one id different subjects (they order independently)', () => {
    const id = '0190f5a0-0000-7000-8000-000000000001';
    const all = [subjects.user(id), subjects.session(id), subjects.role(id), subjects.apiKey(id), subjects.serviceCredential(id), subjects.application(id)];
    expect(new Set(all).size).toBe(all.length);
  });
});
