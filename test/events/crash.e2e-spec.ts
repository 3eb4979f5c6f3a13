import { Client } from 'pg';
import { TestApp, uniqueSlug, TEST_ADMIN_KEY } from '@credence/testing';
import { ensureBuilt, freePort, startChildPlatform, ChildPlatform } from '../support/child-platform';
import { startTsChild, Child } from '../support/events/child-process';
import { createEventsWorld, emitSequence, EventsWorld, startWorldApp, useEventsEnv } from '../support/events/events-world';
import { OwnRedis } from '../support/own-redis';
import { Recorder, startRecordingConsumer, until } from '../support/events/recording-consumer';

const TENANT = '01a2142a-bba1-714e-a09f-5042f3343438';

/** Processes and servers die; no event is lost, and each aggregate's events stay in order. */
describe('event delivery when things crash', () => {
  let world: EventsWorld;
  let db: Client;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    ensureBuilt();
    world = await createEventsWorld('crash');
    useEventsEnv({});
    db = new Client({ connectionString: world.databaseUrl });
    await db.connect();
  }, 120_000);
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });
  afterAll(async () => {
    await db?.end();
    await world?.cleanup();
  });

  const outboxOrder = async (aggregates: string[]) =>
    (await db.query('SELECT event_id, aggregate FROM platform.outbox WHERE aggregate = ANY($1) ORDER BY position', [aggregates])).rows as {
      event_id: string;
      aggregate: string;
    }[];

  /** Every committed event handled, only committed events handled, and first handlings in commit order per aggregate. */
  const expectCompleteAndOrdered = async (aggregates: string[], handled: { id: string; subject: string }[]) => {
    const truth = await outboxOrder(aggregates);
    const committed = new Set(truth.map((r) => r.event_id));
    const mine = handled.filter((h) => aggregates.includes(h.subject));
    expect(mine.every((h) => committed.has(h.id))).toBe(true);
    const first = new Map<string, string[]>();
    const seen = new Set<string>();
    for (const h of mine) {
      if (seen.has(h.id)) continue;
      seen.add(h.id);
      first.set(h.subject, [...(first.get(h.subject) ?? []), h.id]);
    }
    expect(seen.size).toBe(committed.size);
    for (const agg of aggregates) expect(first.get(agg)).toEqual(truth.filter((r) => r.aggregate === agg).map((r) => r.event_id));
    return mine.length - seen.size; // duplicates (same id handled again)
  };

  it('a consumer killed mid-stream: its successor handles everything, duplicates only of the same id, in order', async () => {
    const app = await startWorldApp(world);
    cleanups.push(() => app.close());
    const group = `g-${uniqueSlug('kill')}`;
    const aggregates = Array.from({ length: 20 }, (_, i) => `order/${group}-${i}`);
    await Promise.all(aggregates.map((agg) => emitSequence(app, TENANT, agg, 60, 3)));
    const env = { REDIS_URL: world.redisUrl, PREFIX: world.prefix, GROUP: group, PARTITIONS: '4', HANDLER_DELAY_MS: '2' };
    const handled = async () =>
      (await world.redis.lrange(`${world.prefix}:handled`, 0, -1))
        .map((l) => l.split('|'))
        .map(([id, subject, attempt, pid]) => ({ id, subject, attempt: Number(attempt), pid }));

    const first: Child = await startTsChild('test/support/events/consumer-child.ts', env);
    cleanups.push(() => first.kill());
    await until('the first consumer to be mid-stream', async () => (await handled()).filter((h) => aggregates.includes(h.subject)).length >= 300, 30_000);
    await first.kill('SIGKILL');
    const atKill = (await handled()).filter((h) => aggregates.includes(h.subject)).length;
    expect(atKill).toBeLessThan(1200);

    const second = await startTsChild('test/support/events/consumer-child.ts', env);
    cleanups.push(() => second.kill());
    await until('every event to be handled', async () => new Set((await handled()).filter((h) => aggregates.includes(h.subject)).map((h) => h.id)).size >= 1200, 60_000);
    const all = await handled();
    await expectCompleteAndOrdered(aggregates, all);
    // The successor took over the dead consumer's pending entries: those are second deliveries.
    expect(all.some((h) => h.pid === String(second.process.pid) && h.attempt > 1)).toBe(true);
  }, 120_000);

  it('one relay at a time; a leader killed between commit and publish: the standby takes over within seconds and delivers the event', async () => {
    const deadPort = await freePort(); // nothing listens: the first relay cannot publish
    const recorder: Recorder = { handled: [], subjects: 'tenant/' };
    const consumer = await startRecordingConsumer({ url: world.redisUrl, prefix: world.prefix, partitions: 4, group: `g-${uniqueSlug('relay')}`, startFrom: '0' }, recorder);
    cleanups.push(() => consumer.app.close());
    const base = { DATABASE_URL: world.databaseUrl, REDIS_PREFIX: world.prefix };
    const leader: ChildPlatform = await startChildPlatform({ ...base, EVENTS_TRANSPORT_URL: `redis://127.0.0.1:${deadPort}` });
    cleanups.push(() => leader.kill());
    const relayPid = async () =>
      (await db.query(`SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'credence-relay'`))
        .rows[0]?.pid;
    await until('the child to lead the relay', async () => !!(await relayPid()));

    const slug = uniqueSlug('relay');
    const res = await fetch(`${leader.url}/v1/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug, name: 'Relay Crash', admin: { email: 'a@relay.example', password: 'a long enough password' } }),
    });
    expect(res.status).toBe(201);
    const [row] = (await db.query(`SELECT event_id, published_at FROM platform.outbox WHERE aggregate = $1`, [`tenant/${slug}`])).rows;
    // A standby candidate with a working transport: it must not relay while the leader lives.
    const standby: TestApp = await startWorldApp(world);
    cleanups.push(() => standby.close());
    await new Promise((r) => setTimeout(r, 1_000));
    expect(recorder.handled.some((h) => h.id === row.event_id)).toBe(false);
    expect((await db.query(`SELECT published_at FROM platform.outbox WHERE event_id = $1`, [row.event_id])).rows[0].published_at).toBeNull();

    await leader.kill('SIGKILL');
    const killed = Date.now();
    await until('the standby to take over and deliver the event', () => recorder.handled.some((h) => h.id === row.event_id), 15_000);
    expect(Date.now() - killed).toBeLessThan(5_000);
    expect(recorder.handled.filter((h) => h.id === row.event_id)).toHaveLength(1);
  }, 120_000);

  it('Redis restarted while events are published: nothing lost once it is back', async () => {
    const redis = new OwnRedis(await freePort());
    await redis.start();
    cleanups.push(() => redis.destroy());
    const app = await startWorldApp(world, {}, { EVENTS_TRANSPORT_URL: redis.url });
    cleanups.push(() => app.close());
    const recorder: Recorder = { handled: [], subjects: 'order/' };
    const consumer = await startRecordingConsumer({ url: redis.url, prefix: world.prefix, partitions: 4, group: 'g-restart', startFrom: '0' }, recorder);
    cleanups.push(() => consumer.app.close());

    const aggregates = Array.from({ length: 10 }, (_, i) => `order/restart-${i}`);
    const producing = Promise.all(
      aggregates.map(async (agg) => {
        for (let round = 0; round < 10; round++) {
          await emitSequence(app, TENANT, agg, 10, 2);
          await new Promise((r) => setTimeout(r, 40));
        }
      }),
    );
    await until('some events to flow', () => recorder.handled.length >= 100);
    await redis.kill();
    await new Promise((r) => setTimeout(r, 800));
    await redis.start();
    await producing;
    await until('every event to be handled after the restart', () => new Set(recorder.handled.map((h) => h.id)).size >= 1000, 60_000);
    await expectCompleteAndOrdered(aggregates, recorder.handled);
  }, 120_000);
});
