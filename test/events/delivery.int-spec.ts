import { INestMicroservice } from '@nestjs/common';
import { TestApp, uniqueSlug } from '@credence/testing';
import { DeadLetters } from '@credence/redis-streams-transport';
import { createEventsWorld, emitSequence, EventsWorld, startWorldApp, useEventsEnv } from '../support/events/events-world';
import { Recorder, startRecordingConsumer, until } from '../support/events/recording-consumer';

/** Relay → Redis Streams → Nest consumers, all in this process, against the real Postgres and Redis. */
describe('event delivery over Redis Streams', () => {
  let world: EventsWorld;
  let app: TestApp;
  const consumers: INestMicroservice[] = [];
  const tenantId = '01a2142a-bba1-714e-a09f-5042f3343438';

  beforeAll(async () => {
    world = await createEventsWorld('delivery');
    useEventsEnv({});
    app = await startWorldApp(world);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await app?.close();
    await world?.cleanup();
  });

  const consumer = async (group: string, recorder: Recorder, extra = {}) => {
    const c = await startRecordingConsumer({ url: world.redisUrl, prefix: world.prefix, partitions: 4, group, startFrom: '0', ...extra }, recorder);
    consumers.push(c.app);
    return c;
  };
  const outboxOrder = async (aggregates: string[]) =>
    (await app.dataSource.query('SELECT event_id, aggregate FROM platform.outbox WHERE aggregate = ANY($1) ORDER BY position', [aggregates])) as {
      event_id: string;
      aggregate: string;
    }[];

  it('delivers a committed event with its CloudEvents envelope, and marks the outbox row sent', async () => {
    const slug = uniqueSlug('ev');
    const recorder: Recorder = { handled: [] };
    await consumer(`g-${slug}`, recorder);
    const created = await app.call('POST', '/v1/admin/tenants', { slug, name: 'Events', admin: { email: 'a@ev.example', password: 'a long enough password' } });
    expect(created.status).toBe(201);
    await until('tenant.onboarded to arrive', () => recorder.handled.some((h) => h.type === 'tenant.onboarded' && h.subject === `tenant/${slug}`));
    const [row] = await app.dataSource.query(`SELECT event_id, published_at FROM platform.outbox WHERE aggregate = $1`, [`tenant/${slug}`]);
    expect(recorder.handled.find((h) => h.subject === `tenant/${slug}`)!.id).toBe(row.event_id);
    await until(
      'the row to be marked sent',
      async () => !!(await app.dataSource.query(`SELECT published_at FROM platform.outbox WHERE event_id = $1`, [row.event_id]))[0].published_at,
    );
  });

  it('shares the load between two instances of a group, each event handled once, in order per aggregate', async () => {
    const group = `g-${uniqueSlug('pair')}`;
    const a: Recorder = { handled: [], subjects: `order/${group}-` };
    const b: Recorder = { handled: [], subjects: `order/${group}-` };
    const ca = await consumer(group, a, { consumer: 'a' });
    const cb = await consumer(group, b, { consumer: 'b' });
    await until('both instances to hold partitions', () => ca.server.ownedPartitions().length === 2 && cb.server.ownedPartitions().length === 2);
    const aggregates = Array.from({ length: 24 }, (_, i) => `order/${group}-${i}`);
    // 24 aggregates written concurrently, 25 events each, in transactions of 1-3 events.
    await Promise.all(aggregates.map((agg, i) => emitSequence(app, tenantId, agg, 25, 1 + (i % 3))));
    await until('every event to be handled', () => a.handled.length + b.handled.length >= 600, 30_000);
    await new Promise((r) => setTimeout(r, 300)); // anything handled twice would show up now
    const all = [...a.handled, ...b.handled];
    expect(all).toHaveLength(600);
    expect(new Set(all.map((h) => h.id)).size).toBe(600);
    expect(a.handled.length).toBeGreaterThan(0);
    expect(b.handled.length).toBeGreaterThan(0);
    // Per aggregate, the order handled equals the commit (outbox) order.
    const truth = await outboxOrder(aggregates);
    for (const agg of aggregates) {
      const expected = truth.filter((r) => r.aggregate === agg).map((r) => r.event_id);
      const seen = all.filter((h) => h.subject === agg).map((h) => h.id);
      expect(seen).toEqual(expected);
    }
  }, 60_000);

  it('dead-letters a poison event after N attempts while the rest keep flowing, and re-drives it on request', async () => {
    const group = `g-${uniqueSlug('poison')}`;
    let poisonAttempts = 0;
    let healed = false;
    const recorder: Recorder = {
      handled: [],
      subjects: `order/${group}-`,
      before: (event) => {
        const seq = Number((event.data as { changed: string[] }).changed[0].slice(4));
        if (event.subject.endsWith('-poison') && seq === 1 && !healed) {
          poisonAttempts += 1;
          throw new Error('cannot handle this one');
        }
      },
    };
    await consumer(group, recorder, { maxAttempts: 3, retryBackoffMs: 20 });
    const poison = `order/${group}-poison`;
    const healthy = `order/${group}-healthy`;
    const [p0, p1, p2] = await emitSequence(app, tenantId, poison, 3);
    await emitSequence(app, tenantId, healthy, 20);
    await until(
      'the healthy aggregate and the rest of the poisoned one to be handled',
      () => recorder.handled.filter((h) => h.subject === healthy).length === 20 && recorder.handled.some((h) => h.id === p2),
    );
    expect(poisonAttempts).toBe(3);
    expect(recorder.handled.filter((h) => h.subject === poison).map((h) => h.id)).toEqual([p0, p2]);

    const dlq = new DeadLetters(world.redis, world.prefix, group);
    const letters = await dlq.list();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ pattern: 'tenant.updated', key: poison, attempts: 3, error: 'Error: cannot handle this one' });
    expect(JSON.parse(letters[0].data).id).toBe(p1);

    healed = true;
    expect(await dlq.redrive()).toBe(1);
    await until('the re-driven event to be handled', () => recorder.handled.some((h) => h.id === p1));
    expect(await dlq.list()).toEqual([]);
  }, 60_000);
});
