import { makeEvent } from '@credence/outbox';
import { classifyEvent, parseActor, UnauditableEvent } from './classify-event';

const USER = '01a214ad-b6a2-70d9-a7b8-4baa77fa4065';
const origin = { source: 'credence/auth', actor: 'system' };

describe('classifyEvent', () => {
  it('splits personal fields out of the payload and grades a failed login medium', () => {
    const { envelope } = makeEvent(
      'auth.login.failed',
      'tid',
      `user/${USER}`,
      {
        user_id: USER,
        auth_method: 'local',
        reason: 'invalid_credentials',
        ip: '203.0.113.9',
        user_agent: 'Firefox',
        device_type: 'desktop',
        location: 'Berlin, DE',
      },
      origin,
    );
    const r = classifyEvent(envelope);
    expect(r).toMatchObject({ outcome: 'failure', severity: 'medium', user_id: USER, ip: '203.0.113.9', user_agent: 'Firefox', location: 'Berlin, DE', identity: null });
    expect(r.payload).toEqual({ user_id: USER, auth_method: 'local', reason: 'invalid_credentials', device_type: 'desktop' });
    // Nobody was signed in: the actor is the account that tried.
    expect(r.actor_type).toBe('user');
    expect(r.actor_id).toBe(USER);
  });

  it('grades lockouts and reuse high, violations critical, denials medium', () => {
    const grade = (type: Parameters<typeof makeEvent>[0], data: any) => classifyEvent(makeEvent(type, 't', 'x/1', data, origin).envelope);
    expect(grade('auth.account.locked', { user_id: USER, locked_until: new Date().toISOString(), failures: 5 })).toMatchObject({ outcome: 'failure', severity: 'high' });
    expect(grade('auth.token.reuse_detected', { session_id: USER, user_id: USER })).toMatchObject({ outcome: 'denied', severity: 'high' });
    expect(grade('security.violation.detected', { rule: 'r', severity: 'high', user_id: null, ip: null, details: {} })).toMatchObject({
      outcome: 'failure',
      severity: 'critical',
    });
    expect(grade('authz.access.denied', { user_id: USER, resource: 'user', action: 'read', reason: 'no_permission' })).toMatchObject({ outcome: 'denied', severity: 'medium' });
    expect(grade('user.updated', { user_id: USER, changed: ['email'] })).toMatchObject({ outcome: 'success', severity: 'info' });
  });

  it('moves e-mail and username into identity', () => {
    const { envelope } = makeEvent(
      'user.created',
      't',
      `user/${USER}`,
      { user_id: USER, email: 'a@b.example', username: null, status: 'active' },
      { ...origin, actor: `user:${USER}` },
    );
    const r = classifyEvent(envelope);
    expect(r.identity).toEqual({ email: 'a@b.example' });
    expect(r.payload).toEqual({ user_id: USER, status: 'active' });
  });

  it('keeps the trace id of a valid traceparent and normalises the time', () => {
    const { envelope } = makeEvent('user.deleted', 't', `user/${USER}`, { user_id: USER }, { ...origin, traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01` });
    envelope.time = '2026-01-02T03:04:05+02:00';
    const r = classifyEvent(envelope);
    expect(r.trace_id).toBe('ab'.repeat(16));
    expect(r.occurred_at).toBe('2026-01-02T01:04:05.000Z');
  });

  it('takes the trace id from the event’s traceid, with or without a traceparent, and drops a malformed traceparent', () => {
    const bare = makeEvent('user.deleted', 't', `user/${USER}`, { user_id: USER }, { ...origin, traceId: 'ef'.repeat(16) }).envelope;
    expect(bare).toMatchObject({ traceid: 'ef'.repeat(16) });
    expect(bare.traceparent).toBeUndefined();
    expect(classifyEvent(bare).trace_id).toBe('ef'.repeat(16));

    const malformed = makeEvent('user.deleted', 't', `user/${USER}`, { user_id: USER }, { ...origin, traceparent: 'garbage', traceId: '12'.repeat(16) }).envelope;
    expect(malformed.traceparent).toBeUndefined();
    expect(classifyEvent(malformed).trace_id).toBe('12'.repeat(16));

    // Outside any context the runner's trace id is 'none': no traceid, and no trace id in the trail.
    const none = makeEvent('user.deleted', 't', `user/${USER}`, { user_id: USER }, { ...origin, traceId: 'none' }).envelope;
    expect(none.traceid).toBeUndefined();
    expect(classifyEvent(none).trace_id).toBeNull();
  });

  it('refuses events it cannot place', () => {
    expect(() => classifyEvent({ id: 'nope' } as never)).toThrow(UnauditableEvent);
    const { envelope } = makeEvent('user.deleted', 't', 'user/x', { user_id: USER }, origin);
    expect(() => classifyEvent({ ...envelope, time: 'yesterday' })).toThrow(UnauditableEvent);
  });
});

describe('parseActor', () => {
  it.each([
    ['user:42', { type: 'user', id: '42' }],
    ['service:abc', { type: 'service', id: 'abc' }],
    ['platform-admin:k1', { type: 'platform_admin', id: 'k1' }],
    ['system', { type: 'system', id: null }],
    ['system:retention', { type: 'system', id: 'retention' }],
    ['robot:7', { type: 'system', id: 'robot:7' }],
  ])('%s', (raw, expected) => expect(parseActor(raw)).toEqual(expected));
});
