import { Webhook } from 'standardwebhooks';
import { contractProblems, CredenceCloudEvent } from '@credence/contracts';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { SyncAppModule } from '../../apps/sync/src/sync-app.module';
import { createEventsWorld, EventsWorld, useEventsEnv } from '../support/events/events-world';
import { waitFor } from '../support/child-platform';
import { Receiver } from '../support/webhooks/receiver';
import { onboard, Tenant } from './identity-authz-fixture';

type Verified = { id: string; type: string; tenantid: string; subject: string; data: Record<string, unknown> };

/**
 * Platform webhooks (/v1/admin/webhooks) end to end with a real receiver on loopback: platform
 * admins (webhooks:manage) subscribe to platform events, which arrive signed (checked with the
 * standardwebhooks package); tenant tokens are refused; a platform webhook never receives a tenant's
 * events and a tenant's webhook never receives platform events; the stores are apart.
 */
describe('platform webhooks', () => {
  let t: TestApp;
  let world: EventsWorld;
  const rx = new Receiver();
  let acme: Tenant;

  const admin = (method: string, path = '', body?: unknown, auth?: string | false) => t.call(method, `/v1/admin/webhooks${path}`, body, auth === undefined ? {} : { auth });
  const tenantApi = (method: string, path = '', body?: unknown, tenant: Tenant = acme) => t.call(method, `/v1/t/${tenant.slug}/webhooks${path}`, body, { auth: tenant.admin });
  const create = async (body: Record<string, unknown>) => {
    const res = await admin('POST', '', body);
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const deliveries = async (id: string) =>
    (await admin('GET', `/${id}/deliveries`)).body.data as { id: string; event_id: string; event_type: string; status: string; attempts: unknown[] }[];
  const waitForStatus = (id: string, status: string, n = 1) =>
    waitFor(`${n} ${status} deliveries of ${id}`, async () => {
      const d = await deliveries(id);
      return d.filter((x) => x.status === status).length >= n ? d : null;
    });
  const verified = (path: string, secret: string): Verified[] => rx.at(path).map((r) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as Verified);

  beforeAll(async () => {
    await rx.start();
    world = await createEventsWorld('pwebhooks');
    useEventsEnv({});
    t = await startTestApp([AuthAppModule, SyncAppModule], {
      DATABASE_URL: world.databaseUrl,
      REDIS_PREFIX: world.prefix,
      WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${rx.port}`,
      WEBHOOK_RETRY_SCHEDULE: '1s,1s',
      WEBHOOK_TIMEOUT_MS: '1000',
    });
    acme = await onboard(t, 'pwh-acme');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await rx.stop();
    await world?.cleanup();
  });

  it('creates a platform webhook in the platform schema, secret shown once and sealed; tenants do not see it', async () => {
    const w = await create({ url: `${rx.base}/created`, event_types: ['tenant.*'], description: 'billing' });
    expect(w).toMatchObject({ url: `${rx.base}/created`, event_types: ['tenant.*'], enabled: true, created_by: expect.stringMatching(/^platform-admin:/) });
    expect(w.secret).toMatch(/^whsec_/);
    expect((await admin('GET', `/${w.id}`)).body.secret).toBeUndefined();
    const [row] = await t.dataSource.query(`SELECT secrets FROM platform_webhooks.webhooks WHERE id = $1`, [w.id]);
    expect(row.secrets.toString('latin1')).not.toContain(w.secret.slice(6));
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM "${acme.schema}".webhooks`))[0].n).toBe(0);
    expect((await tenantApi('GET', `/${w.id}`)).status).toBe(404);
    expect((await tenantApi('GET')).body.data).toEqual([]);
    expect((await admin('GET')).body.data.map((x: { id: string }) => x.id)).toEqual([w.id]);
    expect((await admin('DELETE', `/${w.id}`)).status).toBe(204);
    expect((await admin('GET', `/${w.id}`)).status).toBe(404);
  });

  it('refuses tenant admin tokens, missing credentials and platform keys without webhooks:manage', async () => {
    const narrow = await t.call('POST', '/v1/admin/api-keys', { name: 'tenants only', scopes: ['tenants:read', 'tenants:write'] });
    expect(narrow.status).toBe(201);
    const wide = await t.call('POST', '/v1/admin/api-keys', { name: 'webhooks', scopes: ['webhooks:manage'] });
    expect(wide.status).toBe(201);
    const body = { url: `${rx.base}/refused`, event_types: ['*'] };
    for (const [auth, status] of [
      [acme.admin, 401],
      [false, 401],
      ['crd_not-a-key', 401],
      [narrow.body.secret, 403],
    ] as [string | false, number][]) {
      for (const [method, path, b] of [
        ['GET', ''],
        ['POST', '', body],
      ] as [string, string, unknown?][]) {
        const res = await admin(method, path, b, auth);
        expect({ method, status: res.status, code: typeof res.body?.error?.code }).toEqual({ method, status, code: 'string' });
      }
    }
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM platform_webhooks.webhooks`))[0].n).toBe(0);
    const made = await admin('POST', '', body, wide.body.secret);
    expect(made.status).toBe(201);
    await admin('DELETE', `/${made.body.id}`);
  });

  it("delivers platform events (tenant.onboarded, tenant.suspended) signed; never a tenant event; a tenant webhook gets only its own tenant's", async () => {
    const all = await create({ url: `${rx.base}/platform-all`, event_types: ['*'] });
    const suspended = await create({ url: `${rx.base}/suspended`, event_types: ['tenant.suspended'] });
    const globex = await onboard(t, 'pwh-globex');
    const tenantAll = await tenantApi('POST', '', { url: `${rx.base}/tenant-all`, event_types: ['*'] }, globex);
    expect(tenantAll.status).toBe(201);
    const user = await t.call('POST', `/v1/t/${globex.slug}/users`, { email: `u@${globex.slug}.example`, password: 'a long enough password' }, { auth: globex.admin });
    expect(user.status).toBe(201);
    expect((await t.call('POST', `/v1/admin/tenants/${globex.slug}/suspend`)).status).toBe(200);
    await waitFor('tenant.suspended at both platform webhooks', async () => (rx.at('/suspended').length && rx.at('/platform-all').length >= 2 ? true : null));
    await waitFor('user.created and its own tenant.suspended at the tenant webhook', async () =>
      rx.at('/tenant-all').some((r) => r.body.includes('"user.created"')) && rx.at('/tenant-all').some((r) => r.body.includes('"tenant.suspended"')) ? true : null,
    );
    await new Promise((r) => setTimeout(r, 1500)); // time for a wrongly routed event to arrive too

    const platformTypes = verified('/platform-all', all.secret).map((e) => e.type);
    expect(platformTypes).toEqual(expect.arrayContaining(['tenant.onboarded', 'tenant.suspended']));
    for (const type of platformTypes) expect(type).toMatch(/^(tenant\.|platform\.|webhook\.)/);
    const onboarded = verified('/platform-all', all.secret).find((e) => e.type === 'tenant.onboarded')!;
    expect(onboarded).toMatchObject({ tenantid: globex.id, subject: `tenant/${globex.slug}`, data: { tenant_id: globex.id, slug: globex.slug } });
    const [s] = verified('/suspended', suspended.secret);
    expect(s).toMatchObject({ type: 'tenant.suspended', data: { tenant_id: globex.id, slug: globex.slug } });
    expect(rx.at('/suspended')[0].headers['webhook-id']).toBe(s.id);
    expect(() => new Webhook(all.secret).verify(rx.at('/suspended')[0].body, rx.at('/suspended')[0].headers as Record<string, string>)).toThrow();

    const tenantTypes = verified('/tenant-all', tenantAll.body.secret).map((e) => e.type);
    expect(tenantTypes).toEqual(expect.arrayContaining(['user.created', 'tenant.suspended']));
    for (const e of verified('/tenant-all', tenantAll.body.secret)) {
      expect(e.type).not.toMatch(/^platform\./);
      expect(e.tenantid).toBe(globex.id); // its own tenant's events only, tenant.* included
    }
    const [d] = (await deliveries(suspended.id)).filter((x) => x.event_type === 'tenant.suspended');
    expect(d).toMatchObject({ event_id: s.id, status: 'delivered', attempts: [{ response_status: 200 }] });
    for (const w of [all, suspended]) await admin('DELETE', `/${w.id}`);
  }, 40_000);

  it('tests, retries, rotates and redelivers through the same worker as tenant webhooks', async () => {
    rx.plan.set('/flaky', (n) => (n === 1 ? 500 : 200));
    const w = await create({ url: `${rx.base}/flaky`, event_types: ['webhook.test'] });
    const rotated = await admin('POST', `/${w.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const queued = await admin('POST', `/${w.id}/test`);
    expect(queued.status).toBe(202);
    const [d] = await waitForStatus(w.id, 'delivered');
    expect(d.attempts).toHaveLength(2);
    for (const secret of [w.secret, rotated.body.secret]) {
      expect(verified('/flaky', secret).map((e) => [e.id, e.type, e.tenantid])).toEqual([
        [queued.body.event_id, 'webhook.test', 'platform'],
        [queued.body.event_id, 'webhook.test', 'platform'],
      ]);
    }
    const again = await admin('POST', `/${w.id}/deliveries/${d.id}/redeliver`);
    expect(again.status).toBe(202);
    await waitFor('redelivered', async () => (rx.at('/flaky').length === 3 ? true : null));
    expect((await admin('POST', `/${w.id}/deliveries/redeliver-failed`, { since: new Date(0).toISOString() })).body).toEqual({ queued: 0 });
    await admin('DELETE', `/${w.id}`);
  });

  it('keeps the scopes apart: ids of one are 404 in the other', async () => {
    const p = await create({ url: `${rx.base}/p`, event_types: ['tenant.*'] });
    const tw = (await tenantApi('POST', '', { url: `${rx.base}/t`, event_types: ['user.*'] })).body;
    for (const [method, path, body] of [
      ['GET', ''],
      ['PATCH', '', { enabled: false }],
      ['POST', '/rotate-secret'],
      ['POST', '/test'],
      ['GET', '/deliveries'],
      ['DELETE', ''],
    ] as [string, string, unknown?][]) {
      expect((await tenantApi(method, `/${p.id}${path}`, body)).body.error?.code).toBe('webhook.not_found');
      expect((await admin(method, `/${tw.id}${path}`, body)).body.error?.code).toBe('webhook.not_found');
    }
    expect((await admin('GET', `/${p.id}`)).body.enabled).toBe(true);
    expect((await tenantApi('GET', `/${tw.id}`)).body.enabled).toBe(true);
    await admin('DELETE', `/${p.id}`);
    await tenantApi('DELETE', `/${tw.id}`);
  });

  it('answers hostile input with 400 or 404 and stores nothing', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 200; i++) deep = { exclude: deep };
    for (const body of [
      { url: 'http://169.254.169.254/latest/meta-data/', event_types: ['*'] },
      { url: 'http://10.0.0.1/', event_types: ['tenant.*'] },
      { url: `http://[::1]:${rx.port}/`, event_types: ['tenant.*'] },
      { url: `http://localhost:${rx.port}/`, event_types: ['tenant.*'] },
      { url: `${rx.base}/${'a'.repeat(5000)}`, event_types: ['*'] },
      { url: `${rx.base}/x`, event_types: ['*'], description: 'nul\u0000byte' },
      { url: `${rx.base}/x`, event_types: ['tenant.*.x'] },
      { url: `${rx.base}/x`, event_types: ['*'], fields: deep },
      { url: `${rx.base}/x`, event_types: ['*'], fields: { exclude: ['data.__proto__.x'] } },
      { url: `${rx.base}/x`, event_types: ['*'], secret: 'whsec_mine' },
      { url: ['x'], event_types: ['*'] },
      'not json',
    ]) {
      const res = await admin('POST', '', body);
      expect({ status: [400, 413, 415].includes(res.status), code: typeof res.body?.error?.code }).toEqual({ status: true, code: 'string' });
    }
    expect((await admin('GET', '/not-a-uuid')).status).toBe(404);
    expect((await admin('POST', `/00000000-0000-7000-8000-000000000000/deliveries/nope/redeliver`)).status).toBe(404);
    expect((await admin('GET', '?limit=100000')).status).toBe(400);
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM platform_webhooks.webhooks`))[0].n).toBe(0);
  });

  it('writes platform webhook events with tenantid platform that match their contracts and carry no secret', async () => {
    const rows: { event: CredenceCloudEvent }[] = await t.dataSource.query(`SELECT event FROM platform.outbox WHERE type LIKE 'webhook.%' AND tenant_id = 'platform'`);
    expect(new Set(rows.map((r) => r.event.type))).toEqual(new Set(['webhook.created', 'webhook.deleted', 'webhook.secret_rotated']));
    expect(rows.map((r) => contractProblems(r.event)).flat()).toEqual([]);
    expect(JSON.stringify(rows)).not.toMatch(/whsec_/);
  });
});
