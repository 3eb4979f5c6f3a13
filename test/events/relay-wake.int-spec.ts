import { INestMicroservice } from '@nestjs/common';
import { RelayService } from '@credence/event-relay';
import { TestApp, uniqueSlug } from '@credence/testing';
import { createEventsWorld, emitSequence, EventsWorld, startWorldApp, useEventsEnv } from '../support/events/events-world';
import { Recorder, startRecordingConsumer, until } from '../support/events/recording-consumer';

const TENANT = '01a2142a-bba1-714e-a09f-5042f3343438';
/** The leader polls only every 30 s here: an event that arrives well within that was delivered because a wake reached the leader. */
const POLL_MS = 30_000;
const WOKEN_WITHIN_MS = 2_000;

/** The relay leader is woken after each commit that wrote events, from its own process and from others (Redis), without NOTIFY. */
describe('waking the relay after a commit', () => {
  let world: EventsWorld;
  let leader: TestApp;
  let writer: TestApp;
  let consumer: INestMicroservice;
  const recorder: Recorder = { handled: [], subjects: 'order/wake-' };

  beforeAll(async () => {
    world = await createEventsWorld('wake');
    useEventsEnv({ EVENTS_RELAY_POLL_MS: String(POLL_MS) });
    leader = await startWorldApp(world);
    await until('the app to lead the relay', () => leader.app.get(RelayService).isLeader);
    writer = await startWorldApp(world, {}, { EVENTS_RELAY_ENABLED: 'false' }); // no relay candidate: its commits wake the leader over Redis
    consumer = (await startRecordingConsumer({ url: world.redisUrl, prefix: world.prefix, partitions: 4, group: `g-${uniqueSlug('wake')}`, startFrom: '0' }, recorder)).app;
    await new Promise((r) => setTimeout(r, 500)); // the leader's first reads found nothing: it now waits for a wake or its poll
  }, 60_000);
  afterAll(async () => {
    await consumer?.close();
    await writer?.close();
    await leader?.close();
    await world?.cleanup();
  });

  /** Commits one event at a time from `app`, each only once the one before was handled, and resolves to how long each took. */
  const oneByOne = async (app: TestApp, aggregate: string, n: number) => {
    const took: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const [id] = await emitSequence(app, TENANT, aggregate, 1);
      await until(`event ${i + 1} of ${aggregate} to be handled`, () => recorder.handled.some((h) => h.id === id), POLL_MS / 2);
      took.push(performance.now() - t);
    }
    return took;
  };

  it("delivers an event committed in the leader's own process without waiting for the poll", async () => {
    const took = await oneByOne(leader, `order/wake-${uniqueSlug('own')}`, 3);
    expect(Math.max(...took)).toBeLessThan(WOKEN_WITHIN_MS);
  });

  it('delivers an event committed in another process without waiting for the poll (the wake goes over Redis)', async () => {
    const took = await oneByOne(writer, `order/wake-${uniqueSlug('other')}`, 3);
    expect(Math.max(...took)).toBeLessThan(WOKEN_WITHIN_MS);
  });
});
