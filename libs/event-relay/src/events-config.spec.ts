import { loadEventsConfig } from './events-config';

describe('event delivery configuration', () => {
  it('has working defaults', () => {
    expect(loadEventsConfig({})).toMatchObject({ EVENTS_RELAY_ENABLED: true, EVENTS_TRANSPORT: 'redis-streams', EVENTS_PARTITIONS: 16, EVENTS_STORE_RETENTION_DAYS: 30 });
  });

  it('names every bad variable, and requires a URL for the other transports', () => {
    expect(() => loadEventsConfig({ EVENTS_PARTITIONS: '0', EVENTS_RELAY_ENABLED: 'maybe' })).toThrow(
      /EVENTS_PARTITIONS[\s\S]*EVENTS_RELAY_ENABLED|EVENTS_RELAY_ENABLED[\s\S]*EVENTS_PARTITIONS/,
    );
    expect(() => loadEventsConfig({ EVENTS_TRANSPORT: 'rmq' })).toThrow(/EVENTS_TRANSPORT_URL is required/);
    expect(loadEventsConfig({ EVENTS_TRANSPORT: 'rmq', EVENTS_TRANSPORT_URL: 'amqp://localhost' }).EVENTS_TRANSPORT).toBe('rmq');
  });
});
