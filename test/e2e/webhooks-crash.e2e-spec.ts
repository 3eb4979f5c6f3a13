import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { TEST_ADMIN_KEY, uniqueSlug } from '@credence/testing';
import { ChildPlatform, ensureBuilt, QUICK_JOB_TAKEOVER, startChildPlatform, waitFor } from '../support/child-platform';
import { createEventsWorld, EventsWorld, FAST_EVENTS_ENV } from '../support/events/events-world';

const PASSWORD = 'a long enough password';
const USERS = 40;

/**
 * The platform killed (SIGKILL) while deliveries are in flight and queued: after a restart every
 * event reaches the endpoint at least once, with the same webhook-id on every copy, still signed.
 */
describe('webhooks when the platform is killed mid-delivery', () => {
  let world: EventsWorld;
  let db: Client;
  let child: ChildPlatform | undefined;
  let server: Server;
  let port: number;
  const received: { id: string; headers: Record<string, string>; body: string }[] = [];

  const call = async (c: ChildPlatform, method: string, path: string, body?: unknown, token = TEST_ADMIN_KEY) => {
    const res = await fetch(`${c.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  };
  const env = () => ({
    DATABASE_URL: world.databaseUrl,
    REDIS_PREFIX: world.prefix,
    ...FAST_EVENTS_ENV,
    AUDIT_INGEST_ENABLED: 'false',
    RETENTION_ENABLED: 'false',
    WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${port}`,
    WEBHOOK_RETRY_SCHEDULE: '1s,1s,2s,5s,10s',
    ...QUICK_JOB_TAKEOVER,
  });

  beforeAll(async () => {
    ensureBuilt();
    world = await createEventsWorld('whcrash');
    db = new Client({ connectionString: world.databaseUrl });
    await db.connect();
    // Answers after 200 ms, so deliveries are in flight when the platform dies.
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ id: String(req.headers['webhook-id']), headers: req.headers as Record<string, string>, body });
        setTimeout(() => res.writeHead(200).end('ok'), 200).unref();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  }, 300_000);
  afterAll(async () => {
    await child?.kill();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await db?.end();
    await world?.cleanup();
  });

  it('delivers every event at least once, each copy with the same webhook-id', async () => {
    child = await startChildPlatform(env());
    const slug = uniqueSlug('whcrash');
    const onboarded = await call(child, 'POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: `admin@${slug}.example`, password: PASSWORD } });
    expect(onboarded.status).toBe(201);
    const login = await call(child, 'POST', `/v1/t/${slug}/auth/login`, { email: `admin@${slug}.example`, password: PASSWORD });
    const admin = login.body.access_token as string;
    const hook = await call(child, 'POST', `/v1/t/${slug}/webhooks`, { url: `http://127.0.0.1:${port}/crash`, event_types: ['user.created'], ordered: false }, admin);
    expect(hook.status).toBe(201);
    const first = child;
    await Promise.all(Array.from({ length: USERS }, (_, i) => call(first, 'POST', `/v1/t/${slug}/users`, { email: `u${i}@${slug}.example`, password: PASSWORD }, admin)));
    await waitFor('some deliveries in flight', async () => (received.length >= 3 ? true : null), 30_000);
    await child.kill('SIGKILL');
    const atKill = new Set(received.map((r) => r.id)).size;

    child = await startChildPlatform(env());
    const schema = `t_${onboarded.body.id.replace(/-/g, '')}`;
    const committed: string[] = (await db.query(`SELECT event_id FROM platform.outbox WHERE type = 'user.created' AND tenant_id = $1`, [onboarded.body.id])).rows.map(
      (r: { event_id: string }) => r.event_id,
    );
    expect(committed).toHaveLength(USERS);
    await waitFor(
      'every event delivered',
      async () => {
        const ids = new Set(received.map((r) => r.id));
        return committed.every((id) => ids.has(id)) ? true : null;
      },
      120_000,
    );
    expect(atKill).toBeLessThan(USERS);
    const wh = new Webhook(hook.body.secret);
    for (const r of received) expect((wh.verify(r.body, r.headers) as { id: string }).id).toBe(r.id);
    const rows = await db.query(`SELECT event_id, status FROM "${schema}".webhook_deliveries`);
    expect(rows.rows).toHaveLength(USERS);
    await waitFor(
      'every delivery recorded as delivered',
      async () => {
        const { rows: open } = await db.query(`SELECT 1 FROM "${schema}".webhook_deliveries WHERE status <> 'delivered'`);
        return open.length === 0 ? true : null;
      },
      // A job that died with the platform is found by BullMQ's stalled-job check (every 10 s here) once
      // its lock lapses, and run again; the wait leaves room for a loaded CI machine.
      150_000,
    );
  }, 300_000);
});
