import type { CredenceCloudEvent } from '@credence/contracts';
import { deliveryBody, EVENT_TYPE_PATTERN, matchesType } from './event-filter';

const event = {
  id: '01a2142a-bc02-701f-ace3-8ebb9c51fd87',
  specversion: '1.0',
  source: 'credence/auth',
  type: 'auth.login.failed',
  time: '2026-11-25T19:24:34.690Z',
  subject: 'user/01a2142a-bba1-714e-a09f-5042f3343438',
  tenantid: '01a2142a-bba1-714e-a09f-5042f3343438',
  actor: 'system',
  data: { user_id: '01a2142a-bba1-714e-a09f-5042f3343438', ip: '192.0.2.1', user_agent: 'curl', location: null, reason: 'bad', details: { a: 1, b: 2 } },
} as unknown as CredenceCloudEvent;

describe('event filter', () => {
  it('matches exact types, prefixes and everything', () => {
    expect(matchesType(['user.*'], 'user.created')).toBe(true);
    expect(matchesType(['user.*'], 'user.role.assigned')).toBe(true);
    expect(matchesType(['user.*'], 'userx.created')).toBe(false);
    expect(matchesType(['auth.login.failed'], 'auth.login.failed')).toBe(true);
    expect(matchesType(['auth.login.failed'], 'auth.login.succeeded')).toBe(false);
    expect(matchesType(['*'], 'tenant.onboarded')).toBe(true);
    expect(matchesType([], 'tenant.onboarded')).toBe(false);
  });

  it('accepts only well-formed patterns', () => {
    for (const ok of ['*', 'user.*', 'auth.login.failed', 'auth.*']) expect(EVENT_TYPE_PATTERN.test(ok)).toBe(true);
    for (const bad of ['', 'user.', '*.created', 'USER.created', 'user.*.x', 'a b', 'user\u0000']) expect(EVENT_TYPE_PATTERN.test(bad)).toBe(false);
  });

  it('sends personal fields as null unless included, and removes excluded fields', () => {
    const plain = JSON.parse(deliveryBody(event, [], []));
    expect(plain.data).toMatchObject({ ip: null, user_agent: null, location: null, reason: 'bad' });
    const asked = JSON.parse(deliveryBody(event, ['data.details.b', 'actor', 'id'], ['data.ip']));
    expect(asked.data.ip).toBe('192.0.2.1');
    expect(asked.data.user_agent).toBeNull();
    expect(asked.data.details).toEqual({ a: 1 });
    expect(asked.actor).toBeUndefined();
    expect(asked.id).toBe(event.id); // never removable
    expect((event.data as { details: unknown }).details).toEqual({ a: 1, b: 2 }); // the event itself is untouched
  });

  it('masks an ip/<address> subject unless data.ip is included', () => {
    const detection = { ...event, subject: 'ip/192.0.2.1' } as CredenceCloudEvent;
    expect(JSON.parse(deliveryBody(detection, [], [])).subject).toBe('ip/***');
    expect(JSON.parse(deliveryBody(detection, [], ['data.ip'])).subject).toBe('ip/192.0.2.1');
  });
});
