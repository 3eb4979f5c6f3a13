import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { SyncAppModule } from '../../apps/sync/src/sync-app.module';
import { createEventsWorld, EventsWorld, useEventsEnv } from '../support/events/events-world';
import { waitFor } from '../support/child-platform';
import { onboard, PASSWORD, Tenant } from './identity-authz-fixture';

const USERS = 16;
const ANSWER_MS = 700;

/**
 * Deleting a webhook while its deliveries wait in the worker for a busy endpoint (it answers, slowly,
 * 4 at a time): nothing is sent to it once the delete has answered.
 */
describe('a webhook deleted while its deliveries wait for the endpoint', () => {
  let t: TestApp;
  let world: EventsWorld;
  let acme: Tenant;
  let server: Server;
  let port: number;
  const arrivals: number[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      arrivals.push(Date.now());
      req.resume();
      req.on('end', () => setTimeout(() => res.writeHead(200).end('ok'), ANSWER_MS).unref());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    world = await createEventsWorld('whdeleted');
    useEventsEnv({});
    t = await startTestApp([AuthAppModule, SyncAppModule], {
      DATABASE_URL: world.databaseUrl,
      REDIS_PREFIX: world.prefix,
      WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${port}`,
      WEBHOOK_RETRY_SCHEDULE: '1s,1s,2s',
    });
    acme = await onboard(t, 'wh-deleted');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await world?.cleanup();
  });

  it('sends nothing to a deleted webhook, not even the deliveries read before it was deleted', async () => {
    const hook = await t.call(
      'POST',
      `/v1/t/${acme.slug}/webhooks`,
      { url: `http://127.0.0.1:${port}/slow`, event_types: ['user.created'], ordered: false },
      { auth: acme.admin },
    );
    expect(hook.status).toBe(201);
    await Promise.all(
      Array.from({ length: USERS }, (_, i) => t.call('POST', `/v1/t/${acme.slug}/users`, { email: `u${i}@${acme.slug}.example`, password: PASSWORD }, { auth: acme.admin })),
    );
    // The endpoint's 4 slots are taken: the other deliveries wait in the worker.
    await waitFor('the first deliveries to arrive', async () => (arrivals.length >= 4 ? true : null), 20_000);
    const deleted = await t.call('DELETE', `/v1/t/${acme.slug}/webhooks/${hook.body.id}`, undefined, { auth: acme.admin });
    expect(deleted.status).toBe(204);
    const deletedAt = Date.now();
    await new Promise((r) => setTimeout(r, ANSWER_MS * 4));
    expect(arrivals.length).toBeLessThan(USERS);
    expect(arrivals.filter((at) => at > deletedAt)).toEqual([]);
  }, 60_000);
});
