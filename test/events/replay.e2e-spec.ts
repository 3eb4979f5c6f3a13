import { TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { createEventsWorld, emitSequence, EventsWorld, startWorldApp, useEventsEnv } from '../support/events/events-world';
import { until } from '../support/events/recording-consumer';

const PASSWORD = 'a long enough password';

/** GET /v1/t/{tenant}/events: a tenant's events from the event store, by cursor, for its admins and platform admins only. */
describe('event replay', () => {
  let world: EventsWorld;
  let app: TestApp;
  const a = { slug: uniqueSlug('ra'), id: '', token: '' };
  const b = { slug: uniqueSlug('rb'), id: '', token: '' };

  beforeAll(async () => {
    world = await createEventsWorld('replay');
    useEventsEnv({});
    app = await startWorldApp(world, {}, {}, [AuthAppModule]);
    for (const t of [a, b]) {
      const res = await app.call('POST', '/v1/admin/tenants', { slug: t.slug, name: t.slug, admin: { email: `admin@${t.slug}.example`, password: PASSWORD } });
      expect(res.status).toBe(201);
      t.id = res.body.id;
      const login = await app.call('POST', `/v1/t/${t.slug}/auth/login`, { email: `admin@${t.slug}.example`, password: PASSWORD }, { auth: false });
      expect(login.status).toBe(200);
      t.token = login.body.access_token;
    }
    await emitSequence(app, a.id, `order/${a.slug}`, 30, 3);
    await until('the relay to store tenant A events', async () => {
      const [row] = await app.dataSource.query(`SELECT count(*)::int AS n FROM platform.event_store WHERE tenant_id = $1 AND aggregate = $2`, [a.id, `order/${a.slug}`]);
      return row.n === 30;
    });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await world?.cleanup();
  });

  it('pages through a tenant’s events in order with a cursor and a type filter', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await app.call('GET', `/v1/t/${a.slug}/events?types=tenant.updated&limit=7${after ? `&after=${after}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((e: { id: string; type: string; tenantid: string }) => (expect(e).toMatchObject({ type: 'tenant.updated', tenantid: a.id }), e.id)));
      after = res.body.meta.next_cursor;
      if (!res.body.meta.has_more) break;
    }
    const truth = await app.dataSource.query(`SELECT event_id FROM platform.outbox WHERE aggregate = $1 ORDER BY position`, [`order/${a.slug}`]);
    expect(seen).toEqual(truth.map((r: { event_id: string }) => r.event_id));
    // Polling again from the last cursor returns nothing new, and keeps the cursor.
    const again = await app.call('GET', `/v1/t/${a.slug}/events?after=${after}`);
    expect(again.body).toEqual({ data: [], meta: { next_cursor: after, has_more: false } });
  });

  it('lets a tenant admin read its own tenant and never another tenant’s events', async () => {
    const own = await app.call('GET', `/v1/t/${a.slug}/events?limit=1000`, undefined, { auth: a.token });
    expect(own.status).toBe(200);
    expect(own.body.data.length).toBeGreaterThanOrEqual(31);
    expect(own.body.data.every((e: { tenantid: string }) => e.tenantid === a.id)).toBe(true);

    const other = await app.call('GET', `/v1/t/${b.slug}/events`, undefined, { auth: a.token });
    expect([401, 403]).toContain(other.status);
    expect(JSON.stringify(other.body)).not.toContain(b.id);
    // The cursor of tenant A gives nothing of tenant B either.
    const cursor = own.body.meta.next_cursor;
    const viaCursor = await app.call('GET', `/v1/t/${b.slug}/events?after=${cursor}`, undefined, { auth: a.token });
    expect([401, 403]).toContain(viaCursor.status);
  });

  it('refuses a cursor issued for another tenant instead of skipping this tenant’s events up to it', async () => {
    // A platform admin may read both tenants, so only the cursor's binding can refuse it.
    const ofA = await app.call('GET', `/v1/t/${a.slug}/events?limit=1000`);
    expect(ofA.status).toBe(200);
    const cursorOfA = ofA.body.meta.next_cursor;
    const atB = await app.call('GET', `/v1/t/${b.slug}/events?after=${cursorOfA}`);
    expect(atB.status).toBe(400);
    expect(atB.body.error).toMatchObject({ code: 'validation.failed', details: [{ field: 'after', issue: 'cursor was issued for another tenant' }] });
    // B's own cursor from its first event still pages on from there.
    const all = (await app.call('GET', `/v1/t/${b.slug}/events?limit=1000`)).body.data.map((e: { id: string }) => e.id);
    expect(all.length).toBeGreaterThan(1);
    const first = await app.call('GET', `/v1/t/${b.slug}/events?limit=1`);
    const rest = await app.call('GET', `/v1/t/${b.slug}/events?limit=1000&after=${first.body.meta.next_cursor}`);
    expect(rest.status).toBe(200);
    expect(rest.body.data.map((e: { id: string }) => e.id)).toEqual(all.slice(1));
    // The unbound cursor of earlier releases (the bare seq) is refused too.
    const unbound = await app.call('GET', `/v1/t/${b.slug}/events?after=${Buffer.from('s1').toString('base64url')}`);
    expect(unbound.status).toBe(400);
  });

  it("goes by the roles stored now, not the token's claim: a demoted admin reads nothing", async () => {
    const second = await app.call('POST', `/v1/t/${a.slug}/users`, { email: `second@${a.slug}.example`, password: `${PASSWORD} 2` }, { auth: a.token });
    expect(second.status).toBe(201);
    await app.call('POST', `/v1/t/${a.slug}/users/${second.body.id}/roles/tenant_admin`, undefined, { auth: a.token });
    const token = (await app.call('POST', `/v1/t/${a.slug}/auth/login`, { email: `second@${a.slug}.example`, password: `${PASSWORD} 2` }, { auth: false })).body.access_token;
    expect((await app.call('GET', `/v1/t/${a.slug}/events?limit=1`, undefined, { auth: token })).status).toBe(200);
    expect((await app.call('DELETE', `/v1/t/${a.slug}/users/${second.body.id}/roles/tenant_admin`, undefined, { auth: a.token })).status).toBe(200);
    // The token still says tenant_admin, but the database no longer does.
    expect((await app.call('GET', `/v1/t/${a.slug}/events?limit=1`, undefined, { auth: token })).status).toBe(403);
  });

  it('lets platform admins with tenants:read read any tenant, and nobody else', async () => {
    const any = await app.call('GET', `/v1/t/${b.slug}/events`);
    expect(any.status).toBe(200);
    expect(any.body.data.map((e: { type: string }) => e.type)).toContain('tenant.onboarded');
    expect(any.body.data.every((e: { tenantid: string }) => e.tenantid === b.id)).toBe(true);

    const key = await app.call('POST', '/v1/admin/api-keys', { name: 'keys only', scopes: ['api_keys:manage'] });
    expect(key.status).toBe(201);
    expect((await app.call('GET', `/v1/t/${b.slug}/events`, undefined, { auth: key.body.secret })).status).toBe(403);
    expect((await app.call('GET', `/v1/t/${b.slug}/events`, undefined, { auth: false })).status).toBe(401);
    expect((await app.call('GET', `/v1/t/${b.slug}/events?after=not-ours`)).status).toBe(400);
  });
});
