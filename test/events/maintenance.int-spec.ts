import { AuditModule } from '@credence/audit';
import { IdentityAccessModule } from '@credence/identity';
import { PlatformAdminModule } from '@credence/platform-admin';
import { RedisStreamsClient } from '@credence/redis-streams-transport';
import { TestApp, uniqueSlug } from '@credence/testing';
import { createEventsWorld, emitSequence, EventsWorld, startWorldApp, useEventsEnv } from '../support/events/events-world';
import { until } from '../support/events/recording-consumer';

const TENANT = '01a2142a-bba1-714e-a09f-5042f3343438';

/**
 * Upkeep of the event tables and streams: the retention platform job purges sent outbox rows after
 * their time and applies event store retention per tenant (recorded as the run's `platform` part);
 * the relay's leader trims streams by age.
 */
describe('event upkeep', () => {
  let world: EventsWorld;
  let app: TestApp;

  beforeAll(async () => {
    world = await createEventsWorld('upkeep');
    useEventsEnv({});
    app = await startWorldApp(world, { RETENTION_ENABLED: 'false' }, { EVENTS_OUTBOX_KEEP_SECONDS: '1', EVENTS_MAINTENANCE_EVERY_SECONDS: '1' }, [
      PlatformAdminModule,
      AuditModule,
      IdentityAccessModule,
    ]);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await world?.cleanup();
  });

  /** Starts a run of the platform part only and resolves to its counts once it has completed. */
  async function platformRun(): Promise<Record<string, number>> {
    const started = await app.call('POST', '/v1/admin/retention/runs', { platform: true, tenant_ids: [] });
    expect(started.status).toBe(202);
    let counts: Record<string, number> | undefined;
    await until(
      'the retention run to complete',
      async () => {
        const res = await app.call('GET', `/v1/admin/retention/runs?run_id=${started.body.run_id}&tenant_id=platform`);
        counts = res.body.data[0]?.status === 'completed' ? res.body.data[0].counts : undefined;
        return !!counts;
      },
      15_000,
    );
    return counts!;
  }

  it('purges sent outbox rows after the configured time, and keeps them in the event store', async () => {
    const ids = await emitSequence(app, TENANT, `order/${uniqueSlug('purge')}`, 5);
    const outboxed = async () =>
      (await app.dataSource.query('SELECT count(*)::int AS n, count(published_at)::int AS sent FROM platform.outbox WHERE event_id = ANY($1)', [ids]))[0];
    await until('the events to be sent', async () => (await outboxed()).sent === 5, 15_000);
    await new Promise((r) => setTimeout(r, 1_100)); // EVENTS_OUTBOX_KEEP_SECONDS
    const counts = await platformRun();
    expect(counts.outbox_rows_purged).toBeGreaterThanOrEqual(5);
    expect((await outboxed()).n).toBe(0);
    const [stored] = await app.dataSource.query('SELECT count(*)::int AS n FROM platform.event_store WHERE event_id = ANY($1)', [ids]);
    expect(stored.n).toBe(5);
  });

  it('drops events past their tenant’s retention (30 days by default, or the tenant’s own setting)', async () => {
    const slug = uniqueSlug('keep');
    const created = await app.call('POST', '/v1/admin/tenants', { slug, name: 'Keeps longer', admin: { email: 'a@keep.example', password: 'a long enough password' } });
    expect(created.status).toBe(201);
    await app.dataSource.query(`UPDATE platform.tenants SET settings = settings || '{"event_retention_days": 60}' WHERE id = $1`, [created.body.id]);
    const insertOld = (tenantId: string, days: number) =>
      app.dataSource
        .query(
          `INSERT INTO platform.event_store (tenant_id, event_id, type, aggregate, event, occurred_at, stored_at)
         VALUES ($1, gen_random_uuid(), 'tenant.updated', 'order/old', '{}'::jsonb, now(), now() - make_interval(days => $2)) RETURNING event_id`,
          [tenantId, days],
        )
        .then((r: { event_id: string }[]) => r[0].event_id);
    const defaultOld = await insertOld(TENANT, 40);
    const defaultRecent = await insertOld(TENANT, 10);
    const longKept = await insertOld(created.body.id, 40);
    const longGone = await insertOld(created.body.id, 70);
    const counts = await platformRun();
    expect(counts.event_store_rows_purged).toBeGreaterThanOrEqual(2);
    const rows: { event_id: string }[] = await app.dataSource.query('SELECT event_id FROM platform.event_store WHERE event_id = ANY($1)', [
      [defaultOld, defaultRecent, longKept, longGone],
    ]);
    expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set([defaultRecent, longKept]));
  });

  it('trims stream entries older than the maximum age', async () => {
    const client = new RedisStreamsClient({ url: world.redisUrl, prefix: world.prefix, partitions: 4, maxAgeMs: 60_000 });
    try {
      const key = client.keys.partition(0);
      for (let i = 0; i < 300; i++) await world.redis.xadd(key, '*', 'p', 'x', 'k', 'y', 'd', '{}');
      expect(await world.redis.xlen(key)).toBeGreaterThanOrEqual(300);
      await client.trimByAge(Date.now() + 3_600_000); // an hour from now, all of them are too old
      expect(await world.redis.xlen(key)).toBeLessThan(300);
    } finally {
      await client.close();
    }
  });
});
