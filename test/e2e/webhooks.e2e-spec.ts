import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { KeyEncryption } from '@credence/crypto';
import { contractProblems, CredenceCloudEvent } from '@credence/contracts';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { SyncAppModule } from '../../apps/sync/src/sync-app.module';
import { createEventsWorld, EventsWorld, useEventsEnv } from '../support/events/events-world';
import { waitFor } from '../support/child-platform';
import { freePort, startExample } from '../support/example-apps';
import { Receiver } from '../support/webhooks/receiver';
import { member, onboard, PASSWORD, Tenant } from './identity-authz-fixture';

/**
 * Webhooks end to end: a tenant admin subscribes a real HTTP receiver on loopback, events that
 * happen are delivered signed (checked with the standardwebhooks package, an independent
 * implementation), retried on WEBHOOK_RETRY_SCHEDULE, dead-lettered, redelivered; the SSRF guard
 * refuses internal targets at creation and at delivery; one tenant never reaches another's webhooks.
 */
describe('webhooks', () => {
  let t: TestApp;
  let world: EventsWorld;
  const rx = new Receiver();
  const other = new Receiver(); // a loopback server that is NOT allowed: it must never be hit
  let acme: Tenant;
  let globex: Tenant;
  let examplePort: number;

  const api = (method: string, path = '', body?: unknown, tenant: Tenant = acme, token: string | false = tenant.admin) =>
    t.call(method, `/v1/t/${tenant.slug}/webhooks${path}`, body, { auth: token });
  const create = async (body: Record<string, unknown>, tenant: Tenant = acme) => {
    const res = await api('POST', '', body, tenant);
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const deliveries = async (id: string, tenant: Tenant = acme) => (await api('GET', `/${id}/deliveries`, undefined, tenant)).body.data;
  const waitForStatus = (id: string, status: string, n = 1, timeoutMs = 20_000) =>
    waitFor(
      `${n} ${status} deliveries of ${id}`,
      async () => {
        const d = await deliveries(id);
        return d.filter((x: { status: string }) => x.status === status).length >= n ? d : null;
      },
      timeoutMs,
    );
  const newUser = (tenant: Tenant = acme) =>
    t.call(
      'POST',
      `/v1/t/${tenant.slug}/users`,
      { email: `u${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@${tenant.slug}.example`, password: PASSWORD },
      { auth: tenant.admin },
    );

  beforeAll(async () => {
    await rx.start();
    await other.start();
    examplePort = await freePort();
    world = await createEventsWorld('webhooks');
    useEventsEnv({});
    t = await startTestApp([AuthAppModule, SyncAppModule], {
      DATABASE_URL: world.databaseUrl,
      REDIS_PREFIX: world.prefix,
      WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${rx.port},127.0.0.1:${examplePort}`,
      WEBHOOK_RETRY_SCHEDULE: '1s,1s,2s',
      WEBHOOK_TIMEOUT_MS: '1000',
    });
    acme = await onboard(t, 'wh-acme');
    globex = await onboard(t, 'wh-globex');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await rx.stop();
    await other.stop();
    await world?.cleanup();
  });

  it('creates a subscription and shows its whsec_ secret once; the stored secret is sealed', async () => {
    const w = await create({ url: `${rx.base}/created`, event_types: ['user.*'], description: 'CRM sync' });
    expect(w).toMatchObject({ url: `${rx.base}/created`, event_types: ['user.*'], description: 'CRM sync', enabled: true, ordered: true, fields: { exclude: [], include: [] } });
    expect(w.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const got = await api('GET', `/${w.id}`);
    expect(got.status).toBe(200);
    expect(got.body.secret).toBeUndefined();
    expect(JSON.stringify((await api('GET')).body)).not.toContain(w.secret);
    const [row] = await t.dataSource.query(`SELECT secrets FROM "${acme.schema}".webhooks WHERE id = $1`, [w.id]);
    expect(row.secrets.toString('latin1')).not.toContain(w.secret.slice(6));
    await api('DELETE', `/${w.id}`);
  });

  it('refuses internal targets at creation: loopback not listed, private, link-local, [::1], a name resolving to loopback', async () => {
    for (const url of [
      `http://127.0.0.1:${other.port}/`,
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      `http://[::1]:${rx.port}/`,
      `http://localhost:${rx.port}/`,
      'http://0x7f.1/',
      'ftp://example.com/',
      `http://user:pw@127.0.0.1:${rx.port}/`,
    ]) {
      const res = await api('POST', '', { url, event_types: ['*'] });
      expect({ url, status: res.status, code: res.body.error?.code }).toEqual({ url, status: 400, code: expect.stringMatching(/^(webhook\.url_refused|validation\.failed)$/) });
    }
    expect(other.seen).toHaveLength(0);
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM "${acme.schema}".webhooks`))[0].n).toBe(0);
  });

  it('delivers a matching event signed (verified by standardwebhooks), personal fields null unless included, excluded fields gone', async () => {
    const plain = await create({ url: `${rx.base}/plain`, event_types: ['user.created'] });
    const asked = await create({ url: `${rx.base}/asked`, event_types: ['user.*'], fields: { include: ['data.email'], exclude: ['data.username', 'actor'] } });
    const other = await create({ url: `${rx.base}/roles-only`, event_types: ['role.*'] });
    const user = await newUser();
    expect(user.status).toBe(201);
    await waitForStatus(plain.id, 'delivered');
    await waitForStatus(asked.id, 'delivered');
    const [p] = rx.at('/plain');
    const [a] = rx.at('/asked');
    const event = new Webhook(plain.secret).verify(p.body, p.headers as Record<string, string>) as { id: string; type: string; data: Record<string, unknown> };
    expect(event).toMatchObject({ type: 'user.created', specversion: '1.0', tenantid: acme.id, data: { user_id: user.body.id, email: null } });
    expect(p.headers['webhook-id']).toBe(event.id);
    expect(() => new Webhook(asked.secret).verify(p.body, p.headers as Record<string, string>)).toThrow(); // another subscription's secret does not verify
    const full = new Webhook(asked.secret).verify(a.body, a.headers as Record<string, string>) as { id: string; actor?: string; data: Record<string, unknown> };
    expect(full.id).toBe(event.id);
    expect(full.data.email).toBe(user.body.email);
    expect('username' in full.data).toBe(false);
    expect(full.actor).toBeUndefined();
    expect(rx.at('/roles-only')).toHaveLength(0);
    expect(await deliveries(other.id)).toEqual([]);
    const [d] = await deliveries(plain.id);
    expect(d).toMatchObject({ event_id: event.id, event_type: 'user.created', status: 'delivered', attempts: [{ response_status: 200 }] });
    expect(d.attempts[0].response_excerpt.length).toBeLessThanOrEqual(1024);
    for (const w of [plain, asked, other]) await api('DELETE', `/${w.id}`);
  });

  it('retries after 500s on WEBHOOK_RETRY_SCHEDULE with the same webhook-id, and records every attempt', async () => {
    rx.plan.set('/flaky', (n) => (n <= 2 ? 500 : 200));
    const w = await create({ url: `${rx.base}/flaky`, event_types: ['webhook.test'] });
    const queued = await api('POST', `/${w.id}/test`);
    expect(queued.status).toBe(202);
    const [d] = await waitForStatus(w.id, 'delivered');
    expect(d.attempts.map((x: { response_status: number }) => x.response_status)).toEqual([500, 500, 200]);
    expect(d.attempts[0].error).toBe('answered 500');
    const ids = new Set(rx.at('/flaky').map((r) => r.headers['webhook-id']));
    expect([...ids]).toEqual([queued.body.event_id]);
    for (const r of rx.at('/flaky')) expect(new Webhook(w.secret).verify(r.body, r.headers as Record<string, string>)).toMatchObject({ type: 'webhook.test' });
    await api('DELETE', `/${w.id}`);
  });

  it('times out a hanging endpoint, dead-letters after the schedule, then redelivers one and all failed since T', async () => {
    let hang = true;
    rx.plan.set('/hang', () => (hang ? 'hang' : 200));
    const since = new Date(Date.now() - 1000).toISOString();
    const w = await create({ url: `${rx.base}/hang`, event_types: ['webhook.test'], ordered: false });
    const first = (await api('POST', `/${w.id}/test`)).body;
    const [dead] = await waitForStatus(w.id, 'dead', 1, 30_000);
    expect(dead.attempts).toHaveLength(4);
    for (const a of dead.attempts) expect(a.error).toMatch(/timed out after 1000 ms/);
    hang = false;
    const again = await api('POST', `/${w.id}/deliveries/${first.delivery_id}/redeliver`);
    expect(again.status).toBe(202);
    const [ok] = await waitForStatus(w.id, 'delivered');
    expect(ok.attempts).toHaveLength(5);
    expect(new Set(rx.at('/hang').map((r) => r.headers['webhook-id']))).toEqual(new Set([first.event_id]));

    hang = true;
    await api('POST', `/${w.id}/test`);
    await api('POST', `/${w.id}/test`);
    await waitFor('two dead', async () => ((await deliveries(w.id)).filter((d: { status: string }) => d.status === 'dead').length === 2 ? true : null), 30_000);
    hang = false;
    const bulk = await api('POST', `/${w.id}/deliveries/redeliver-failed`, { since });
    expect(bulk.body).toEqual({ queued: 2 });
    await waitForStatus(w.id, 'delivered', 3);
    expect((await api('POST', `/${w.id}/deliveries/redeliver-failed`, { since: 'yesterday' })).status).toBe(400);
    await api('DELETE', `/${w.id}`);
  }, 60_000);

  it('delivers the events of one aggregate in order even when the first needs a retry', async () => {
    rx.plan.set('/ordered', (n) => (n === 1 ? 500 : 200));
    const w = await create({ url: `${rx.base}/ordered`, event_types: ['webhook.test'] });
    const sent: string[] = [];
    for (let i = 0; i < 3; i++) sent.push((await api('POST', `/${w.id}/test`)).body.event_id); // one aggregate: webhook/<id>
    await waitForStatus(w.id, 'delivered', 3);
    const accepted = rx
      .at('/ordered')
      .slice(1)
      .map((r) => r.headers['webhook-id']);
    expect(accepted).toEqual(sent);
    await api('DELETE', `/${w.id}`);
  });

  it('keeps delivering to a healthy endpoint while another hangs with deliveries queued', async () => {
    rx.plan.set('/stuck', () => 'hang');
    const stuck = await create({ url: `${rx.base}/stuck`, event_types: ['webhook.test'], ordered: false });
    const fast = await create({ url: `${rx.base}/fast`, event_types: ['webhook.test'] });
    for (let i = 0; i < 12; i++) await api('POST', `/${stuck.id}/test`);
    await waitFor('the stuck endpoint busy', async () => (rx.at('/stuck').length >= 4 ? true : null));
    const started = Date.now();
    await api('POST', `/${fast.id}/test`);
    await waitForStatus(fast.id, 'delivered');
    expect(Date.now() - started).toBeLessThan(900); // less than one timeout of the stuck endpoint
    expect(rx.at('/stuck').length).toBeLessThanOrEqual(8); // at most 4 at once per endpoint
    // Silent since its first timeout: one probe per timeout (1 s here), not four; the rest are parked.
    const busy = rx.at('/stuck').length;
    await new Promise((r) => setTimeout(r, 2_500));
    expect(rx.at('/stuck').length - busy).toBeLessThanOrEqual(4);
    // Answering again: the probe's answer ends the silence and every parked delivery goes out.
    rx.plan.set('/stuck', () => 204);
    await waitForStatus(stuck.id, 'delivered', 12, 30_000);
    for (const w of [stuck, fast]) await api('DELETE', `/${w.id}`);
  }, 45_000);

  it('signs with both secrets for a day after a rotation', async () => {
    const w = await create({ url: `${rx.base}/rotated`, event_types: ['webhook.test'] });
    const rotated = await api('POST', `/${w.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(w.secret);
    await api('POST', `/${w.id}/test`);
    await waitForStatus(w.id, 'delivered');
    const [r] = rx.at('/rotated');
    expect(String(r.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(new Webhook(rotated.body.secret).verify(r.body, r.headers as Record<string, string>)).toMatchObject({ type: 'webhook.test' });
    expect(new Webhook(w.secret).verify(r.body, r.headers as Record<string, string>)).toMatchObject({ type: 'webhook.test' });
    await api('DELETE', `/${w.id}`);
  });

  it('never sends what it cannot sign (a secret sealed under another key-encryption key), and a rotation recovers the webhook', async () => {
    const w = await create({ url: `${rx.base}/resealed`, event_types: ['webhook.test'] });
    // The row as another installation (another CREDENCE_KEY_ENCRYPTION_KEY) would have sealed it.
    const elsewhere = new KeyEncryption(randomBytes(32).toString('base64'));
    const sealed = elsewhere.encrypt(Buffer.from(JSON.stringify({ current: w.secret })), `credence:webhook:${acme.id}:${w.id}`);
    await t.dataSource.query(`UPDATE "${acme.schema}".webhooks SET secrets = $2, secrets_kek_id = $3 WHERE id = $1`, [w.id, sealed, elsewhere.kekId]);
    expect((await api('POST', `/${w.id}/test`)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 2500)); // the first attempt and its first retry
    expect(rx.at('/resealed')).toEqual([]);
    expect((await deliveries(w.id)).map((d: { status: string }) => d.status)).toEqual(['pending']);

    const rotated = await api('POST', `/${w.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    await waitForStatus(w.id, 'delivered', 1, 20_000);
    const [r] = rx.at('/resealed');
    // The unreadable secret had no overlap to keep: one signature, the new secret's.
    expect(String(r.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(new Webhook(rotated.body.secret).verify(r.body, r.headers as Record<string, string>)).toMatchObject({ type: 'webhook.test' });
    await api('DELETE', `/${w.id}`);
  }, 30_000);

  it('does not follow a redirect to loopback, and refuses at delivery a target that turned internal (checked again after DNS)', async () => {
    rx.plan.set('/redirect', () => ({ redirect: `http://127.0.0.1:${other.port}/stolen` }));
    const r = await create({ url: `${rx.base}/redirect`, event_types: ['webhook.test'] });
    await api('POST', `/${r.id}/test`);
    const [d] = await waitForStatus(r.id, 'dead', 1, 20_000);
    expect(d.attempts[0]).toMatchObject({ response_status: 302, error: 'redirect (302) not followed' });

    const moved = await create({ url: `${rx.base}/moved`, event_types: ['webhook.test'] });
    await t.dataSource.query(`UPDATE "${acme.schema}".webhooks SET url = $2 WHERE id = $1`, [moved.id, `http://127.0.0.1:${other.port}/internal`]);
    await api('POST', `/${moved.id}/test`);
    const [refused] = await waitForStatus(moved.id, 'dead', 1, 20_000);
    expect(refused.attempts[0].error).toMatch(/loopback address/);
    expect(other.seen).toHaveLength(0);
    for (const w of [r, moved]) await api('DELETE', `/${w.id}`);
  }, 40_000);

  it('disables an endpoint failing for 5 days, with webhook.disabled and a visible reason; enabling clears it', async () => {
    rx.plan.set('/down', () => 503);
    const w = await create({ url: `${rx.base}/down`, event_types: ['webhook.test'] });
    await t.dataSource.query(`UPDATE "${acme.schema}".webhooks SET failing_since = now() - interval '6 days' WHERE id = $1`, [w.id]);
    await api('POST', `/${w.id}/test`);
    const off = await waitFor('disabled', async () => {
      const got = (await api('GET', `/${w.id}`)).body;
      return got.enabled ? null : got;
    });
    expect(off.disabled_reason).toMatch(/every delivery failed since .*; last: answered 503/);
    expect((await api('POST', `/${w.id}/test`)).body.error.code).toBe('webhook.disabled');
    const [event] = await t.dataSource.query(`SELECT event FROM platform.outbox WHERE type = 'webhook.disabled' AND aggregate = $1`, [`webhook/${w.id}`]);
    expect(event.event.data).toMatchObject({ webhook_id: w.id, url: `${rx.base}/down`, reason: off.disabled_reason });
    const on = await api('PATCH', `/${w.id}`, { enabled: true });
    expect(on.body).toMatchObject({ enabled: true, disabled_reason: null, failing_since: null });
    await api('DELETE', `/${w.id}`);
  });

  it('writes webhook events that match their contracts and never carry a secret', async () => {
    const rows: { event: CredenceCloudEvent }[] = await t.dataSource.query(`SELECT event FROM platform.outbox WHERE type LIKE 'webhook.%' ORDER BY position`);
    expect(new Set(rows.map((r) => r.event.type))).toEqual(new Set(['webhook.created', 'webhook.updated', 'webhook.deleted', 'webhook.secret_rotated', 'webhook.disabled']));
    expect(rows.map((r) => contractProblems(r.event)).flat()).toEqual([]);
    expect(JSON.stringify(rows)).not.toMatch(/whsec_/);
  });

  it("never shows or changes another tenant's webhooks (404), and needs webhook.manage:any", async () => {
    const w = await create({ url: `${rx.base}/mine`, event_types: ['user.*'] });
    for (const [method, path, body] of [
      ['GET', `/${w.id}`],
      ['PATCH', `/${w.id}`, { enabled: false }],
      ['DELETE', `/${w.id}`],
      ['POST', `/${w.id}/rotate-secret`],
      ['POST', `/${w.id}/test`],
      ['GET', `/${w.id}/deliveries`],
      ['POST', `/${w.id}/deliveries/${w.id}/redeliver`],
      ['POST', `/${w.id}/deliveries/redeliver-failed`, { since: new Date().toISOString() }],
    ] as [string, string, unknown?][]) {
      const res = await api(method, path, body, globex);
      expect({ method, path, status: res.status, code: res.body?.error?.code }).toEqual({ method, path, status: 404, code: 'webhook.not_found' });
    }
    expect((await api('GET', '', undefined, globex)).body.data).toEqual([]);
    expect((await api('GET', `/${w.id}`)).body.enabled).toBe(true);
    const employee = await member(t, acme, ['employee']);
    expect((await api('GET', '', undefined, acme, employee.token)).status).toBe(403);
    expect((await api('GET', '', undefined, acme, false)).status).toBe(401);
    await api('DELETE', `/${w.id}`);
  });

  it('sends personal fields only to endpoints set up by who may read them (audit.read_personal:any)', async () => {
    const roles = (body: unknown) => t.call('POST', `/v1/t/${acme.slug}/roles`, body, { auth: acme.admin });
    expect((await roles({ name: 'hook-keeper', permissions: ['webhook.manage:any'] })).status).toBe(201);
    const keeper = await member(t, acme, ['hook-keeper']);
    const byKeeper = (method: string, path: string, body?: unknown) => api(method, path, body, acme, keeper.token);
    // The audit trail masks these for the keeper; an endpoint of their own must not unmask them.
    const refused = await byKeeper('POST', '', { url: `${rx.base}/keeper`, event_types: ['auth.*'], fields: { include: ['data.ip', 'data.email'] } });
    expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 403, code: 'authz.access.denied' });
    expect((await api('GET', '?limit=100')).body.data.some((w: { url: string }) => w.url === `${rx.base}/keeper`)).toBe(false);
    const mine = await byKeeper('POST', '', { url: `${rx.base}/keeper`, event_types: ['auth.*'] });
    expect(mine.status).toBe(201);
    expect((await byKeeper('PATCH', `/${mine.body.id}`, { fields: { include: ['data.ip'] } })).status).toBe(403);
    // Nor may they point the admin's endpoint that includes them somewhere else.
    const admins = await create({ url: `${rx.base}/admins`, event_types: ['auth.*'], fields: { include: ['data.ip'] } });
    expect((await byKeeper('PATCH', `/${admins.id}`, { url: `${rx.base}/keeper` })).status).toBe(403);
    expect((await api('GET', `/${admins.id}`)).body).toMatchObject({ url: `${rx.base}/admins`, fields: { include: ['data.ip'] } });
    // What masks them stays theirs: other changes, and dropping the personal fields.
    expect((await byKeeper('PATCH', `/${admins.id}`, { description: 'kept' })).status).toBe(200);
    expect((await byKeeper('PATCH', `/${admins.id}`, { fields: { exclude: [] } })).body.fields).toEqual({ exclude: [], include: [] });
    for (const w of [mine.body, admins]) await api('DELETE', `/${w.id}`);
  });

  it('delivers to examples/webhook-receiver, which verifies it with the consumer kit guard', async () => {
    const w = await create({ url: `http://127.0.0.1:${examplePort}/credence-webhooks`, event_types: ['user.created'] });
    const example = await startExample('examples/webhook-receiver/main.ts', { PORT: String(examplePort), WEBHOOK_SECRET: w.secret }, 'webhook receiver ready');
    try {
      const user = await newUser();
      const [d] = await waitForStatus(w.id, 'delivered');
      expect(d.attempts[0].response_status).toBe(204);
      expect(example.output()).toContain(`received user.created ${d.event_id} user/${user.body.id}`);
    } finally {
      example.stop();
      await api('DELETE', `/${w.id}`);
    }
  }, 40_000);

  it('answers hostile input with 400 and changes nothing', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 200; i++) deep = { exclude: deep };
    for (const body of [
      { url: `${rx.base}/${'a'.repeat(5000)}`, event_types: ['*'] },
      { url: `${rx.base}/x`, event_types: ['*'], description: 'nul\u0000byte' },
      { url: `${rx.base}/x\u0000`, event_types: ['*'] },
      { url: `${rx.base}/x`, event_types: [] },
      { url: `${rx.base}/x`, event_types: ['user.*.x'] },
      { url: `${rx.base}/x`, event_types: Array.from({ length: 500 }, (_, i) => `t${i}.x`) },
      { url: `${rx.base}/x`, event_types: ['*'], fields: deep },
      { url: `${rx.base}/x`, event_types: ['*'], fields: { exclude: ['data.__proto__.x', 'DATA'] } },
      { url: `${rx.base}/x`, event_types: ['*'], secret: 'whsec_mine' },
      { url: 12, event_types: ['*'] },
      [],
    ]) {
      const res = await api('POST', '', body);
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: expect.any(Number), code: expect.any(String) });
      expect([400, 413]).toContain(res.status);
    }
    expect((await api('GET', '/not-a-uuid')).status).toBe(404);
    expect((await api('GET', '/00000000-0000-7000-8000-000000000000')).body.error.code).toBe('webhook.not_found');
    expect((await api('POST', `/00000000-0000-7000-8000-000000000000/deliveries/nope/redeliver`)).status).toBe(404);
    expect((await api('GET', '')).body.data).toEqual([]);
  });
});
