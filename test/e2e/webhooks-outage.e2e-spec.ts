import { Client } from 'pg';
import { DeadLetters } from '@credence/redis-streams-transport';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { SyncAppModule } from '../../apps/sync/src/sync-app.module';
import { createEventsWorld, EventsWorld, useEventsEnv } from '../support/events/events-world';
import { waitFor } from '../support/child-platform';
import { Receiver } from '../support/webhooks/receiver';
import { onboard, PASSWORD, Tenant } from './identity-authz-fixture';

/**
 * The fan-out when the database refuses its writes for a few seconds (a failover, a restart): the
 * event's deliveries are written once it accepts them again, and the event is not dead-lettered.
 */
describe('webhooks through a short database outage', () => {
  let t: TestApp;
  let world: EventsWorld;
  let db: Client;
  let acme: Tenant;
  const rx = new Receiver();

  beforeAll(async () => {
    await rx.start();
    world = await createEventsWorld('whoutage');
    useEventsEnv({});
    t = await startTestApp([AuthAppModule, SyncAppModule], {
      DATABASE_URL: world.databaseUrl,
      REDIS_PREFIX: world.prefix,
      WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${rx.port}`,
      WEBHOOK_RETRY_SCHEDULE: '1s,1s,2s',
    });
    db = new Client({ connectionString: world.databaseUrl });
    await db.connect();
    acme = await onboard(t, 'wh-outage');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await db?.end();
    await rx.stop();
    await world?.cleanup();
  });

  it('delivers an event whose deliveries could not be written for a few seconds', async () => {
    const hook = await t.call('POST', `/v1/t/${acme.slug}/webhooks`, { url: `${rx.base}/outage`, event_types: ['user.created'] }, { auth: acme.admin });
    expect(hook.status).toBe(201);
    // The delivery rows cannot be written: every fan-out attempt fails until the constraint goes.
    await db.query(`ALTER TABLE "${acme.schema}".webhook_deliveries ADD CONSTRAINT outage CHECK (false) NOT VALID`);
    let user: string;
    try {
      const created = await t.call('POST', `/v1/t/${acme.slug}/users`, { email: `outage@${acme.slug}.example`, password: PASSWORD }, { auth: acme.admin });
      expect(created.status).toBe(201);
      user = created.body.id;
      await new Promise((r) => setTimeout(r, 4_000));
    } finally {
      await db.query(`ALTER TABLE "${acme.schema}".webhook_deliveries DROP CONSTRAINT IF EXISTS outage`);
    }
    await waitFor('the user.created delivery', async () => (rx.at('/outage').some((r) => JSON.parse(r.body).data.user_id === user) ? true : null), 20_000);
    const letters = await new DeadLetters(world.redis, world.prefix, t.config.WEBHOOK_CONSUMER_GROUP).list();
    expect(letters).toEqual([]);
  }, 60_000);
});
