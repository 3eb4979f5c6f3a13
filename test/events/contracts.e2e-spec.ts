import { contractProblems, CredenceCloudEvent } from '@credence/contracts';
import { TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { createEventsWorld, EventsWorld, startWorldApp, useEventsEnv } from '../support/events/events-world';
import { Recorder, startRecordingConsumer, until } from '../support/events/recording-consumer';

/**
 * Contract test: drives the flows that emit events today through the real API, then checks every
 * event written to the outbox against its schema (strict: an undeclared field fails), and that a
 * consumer receives each envelope exactly as written.
 */
describe('emitted events match their contracts', () => {
  let world: EventsWorld;
  let app: TestApp;

  beforeAll(async () => {
    world = await createEventsWorld('contracts');
    useEventsEnv({});
    app = await startWorldApp(world, {}, {}, [AuthAppModule]);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await world?.cleanup();
  });

  it('every event of the tenant, API key and sign-in flows conforms, and arrives unchanged', async () => {
    const recorder: Recorder & { events: CredenceCloudEvent[] } = { handled: [], events: [] };
    const consumer = await startRecordingConsumer({ url: world.redisUrl, prefix: world.prefix, partitions: 4, group: 'contracts', startFrom: '0' }, recorder);
    const slug = uniqueSlug('contract');
    const password = 'a long enough password';
    const call = async (method: string, path: string, body?: unknown, auth?: string | false) => (await app.call(method, path, body, auth === undefined ? {} : { auth })).status;

    expect(await call('POST', '/v1/admin/tenants', { slug, name: 'Contracts', domains: [`${slug}.example`], admin: { email: `admin@${slug}.example`, password } })).toBe(201);
    expect(await call('PATCH', `/v1/admin/tenants/${slug}`, { name: 'Contracts Renamed', settings: { access_token_ttl_seconds: 600 } })).toBe(200);
    expect(await call('POST', `/v1/t/${slug}/auth/login`, { email: `admin@${slug}.example`, password }, false)).toBe(200);
    expect(await call('POST', `/v1/t/${slug}/auth/login`, { email: `admin@${slug}.example`, password: 'wrong password here' }, false)).toBe(401);
    expect(await call('POST', `/v1/admin/tenants/${slug}/suspend`)).toBe(200);
    expect(await call('POST', `/v1/admin/tenants/${slug}/resume`)).toBe(200);
    const key = await app.call('POST', '/v1/admin/api-keys', { name: 'contract', scopes: ['tenants:read'] });
    expect(key.status).toBe(201);
    expect(await call('DELETE', `/v1/admin/api-keys/${key.body.id}`)).toBeLessThan(300);
    expect(await call('DELETE', `/v1/admin/tenants/${slug}`)).toBeLessThan(300);

    const rows: { type: string; event: CredenceCloudEvent }[] = await app.dataSource.query('SELECT type, event FROM platform.outbox ORDER BY position');
    const types = new Set(rows.map((r) => r.type));
    for (const t of [
      'tenant.onboarded',
      'tenant.updated',
      'tenant.suspended',
      'tenant.resumed',
      'tenant.offboarding_started',
      'platform.api_key.created',
      'platform.api_key.revoked',
      'auth.login.succeeded',
      'auth.login.failed',
    ]) {
      expect(types).toContain(t);
    }
    const broken = rows.map((r) => ({ type: r.type, problems: contractProblems(r.event) })).filter((r) => r.problems.length);
    expect(broken).toEqual([]);

    // Through the transport, each envelope arrives exactly as written to the outbox.
    await until('the consumer to receive the flow events', () => recorder.events.filter((e) => e.subject === `tenant/${slug}`).length >= 2);
    const written = new Map(rows.map((r) => [r.event.id, r.event]));
    for (const e of recorder.events) expect(e).toEqual(written.get(e.id));
    const onboarded = rows.find((r) => r.type === 'tenant.onboarded')!.event;
    const [stored] = await app.dataSource.query(`SELECT event FROM platform.event_store WHERE event_id = $1`, [onboarded.id]);
    expect(stored.event).toEqual(onboarded);
    await consumer.app.close();
  }, 60_000);
});
