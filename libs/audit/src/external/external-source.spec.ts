import { EVENT_SCHEMA_VERSION } from '@credence/contracts';
import { classifyEvent, UnauditableEvent } from '../trail/classify-event';
import { externalSource, externalType, isExternalType } from './external-source';

describe('external events cannot pass for Credence events', () => {
  it('no Credence event type lives under external.', () => {
    const types = Object.keys(EVENT_SCHEMA_VERSION);
    expect(types.length).toBeGreaterThan(10);
    expect(types.filter(isExternalType)).toEqual([]);
  });

  it('stores a service report under external. with the credential as source', () => {
    expect(externalType('auth.login.succeeded')).toBe('external.auth.login.succeeded');
    expect(isExternalType(externalType('auth.login.succeeded'))).toBe(true);
    expect(externalSource('0190f7a2-0000-7000-8000-000000000000')).toBe('external:service_credential/0190f7a2-0000-7000-8000-000000000000');
  });

  it('refuses an event from the transport whose type is under external.', () => {
    const event = { id: '0190f7a2-0000-7000-8000-000000000001', type: 'external.invoice.paid', time: new Date().toISOString(), source: 'credence/auth', data: {} };
    expect(() => classifyEvent(event as never)).toThrow(UnauditableEvent);
    expect(classifyEvent({ ...event, type: 'user.created' } as never).type).toBe('user.created');
  });
});
