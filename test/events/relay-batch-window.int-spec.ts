import { INestMicroservice } from '@nestjs/common';
import { Client } from 'pg';
import { RelayService } from '@credence/event-relay';
import { TestApp, uniqueSlug } from '@credence/testing';
import { createEventsWorld, emitSequence, EventsWorld, startWorldApp, useEventsEnv } from '../support/events/events-world';
import { Recorder, startRecordingConsumer, until } from '../support/events/recording-consumer';

const TENANT = '01a2142a-bba1-714e-a09f-5042f3343439';
const WINDOW_MS = 3_000;

/**
 * EVENTS_RELAY_BATCH_WINDOW_MS: while events keep coming, the leader marks a batch (and reads the next) no
 * sooner than the window after its previous read began, so one round trip carries every commit of the
 * window. The first event after a quiet spell is still published at once: only the mark waits.
 */
describe('the relay batch window', () => {
  let world: EventsWorld;
  let app: TestApp;
  let consumer: INestMicroservice;
  let db: Client;
  const recorder: Recorder = { handled: [], subjects: 'order/window-' };

  beforeAll(async () => {
    world = await createEventsWorld('window');
    useEventsEnv({ EVENTS_RELAY_POLL_MS: '30000', EVENTS_RELAY_BATCH_WINDOW_MS: String(WINDOW_MS) });
    app = await startWorldApp(world);
    await until('the app to lead the relay', () => app.app.get(RelayService).isLeader);
    consumer = (await startRecordingConsumer({ url: world.redisUrl, prefix: world.prefix, partitions: 4, group: `g-${uniqueSlug('window')}`, startFrom: '0' }, recorder)).app;
    db = new Client({ connectionString: world.databaseUrl });
    await db.connect();
    await new Promise((r) => setTimeout(r, WINDOW_MS + 300)); // the leader's first reads are over: it waits for a wake
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await consumer?.close();
    await app?.close();
    await world?.cleanup();
  });

  const handled = (ids: string[]) => ids.every((id) => recorder.handled.some((h) => h.id === id));
  const markTimes = async (ids: string[]) =>
    (
      await db.query<{ at: Date }>(`SELECT DISTINCT published_at AS at FROM platform.outbox WHERE event_id = ANY($1::uuid[]) AND published_at IS NOT NULL ORDER BY 1`, [ids])
    ).rows.map((r) => r.at.getTime());

  it('publishes the first event at once, and marks the events committed during the window in one statement a window later', async () => {
    const aggregate = `order/window-${uniqueSlug('burst')}`;
    const committedAt = performance.now(); // the recorder stamps `at` with performance.now() in this process
    const [first] = await emitSequence(app, TENANT, aggregate, 1);
    // Five more commits 50 ms apart, inside the first window: without one, each would be read, published and marked on its own.
    const later: string[] = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 50));
      later.push(...(await emitSequence(app, TENANT, aggregate, 1)));
    }
    const all = [first, ...later];
    await until('every event to be handled', () => handled(all), WINDOW_MS * 6);
    await until(
      'every event to be marked',
      async () => {
        const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM platform.outbox WHERE event_id = ANY($1::uuid[]) AND published_at IS NOT NULL`, [all]);
        return rows[0].n === all.length;
      },
      WINDOW_MS * 6,
    );

    const firstHandled = recorder.handled.find((h) => h.id === first)!;
    expect(firstHandled.at - committedAt).toBeLessThan(WINDOW_MS * 0.7); // published at once, not held back by the window
    // The first read took the first event (perhaps the second too); one mark a window later took the rest.
    const marks = await markTimes(all);
    expect(marks.length).toBeLessThanOrEqual(2);
    if (marks.length === 2) expect(marks[1] - marks[0]).toBeGreaterThanOrEqual(WINDOW_MS - 100);
    expect(recorder.handled.filter((h) => h.subject === aggregate).map((h) => h.id)).toEqual(all); // in commit order
  }, 60_000);
});
