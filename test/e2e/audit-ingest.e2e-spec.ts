import { randomUUID } from 'node:crypto';
import { GENESIS_HASH, personalDigest, rowHash } from '@credence/audit';
import { EventCatalogue, EventType } from '@credence/contracts';
import { makeEvent, PendingEvent } from '@credence/outbox';
import { RedisStreamsClient } from '@credence/redis-streams-transport';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { createEventsWorld, EventsWorld, useEventsEnv } from '../support/events/events-world';
import { waitFor } from '../support/child-platform';
import { AuditAppModule } from '../../apps/audit/src/audit-app.module';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

const PASSWORD = 'a long enough password 1';

interface Tenant {
  id: string;
  slug: string;
  schema: string;
  adminId: string;
}

/** Ingest into the audit trail over the real transport: classification, chain, redelivery, isolation, detection. */
describe('audit ingest', () => {
  let t: TestApp;
  let world: EventsWorld;
  let publisher: RedisStreamsClient;
  let a: Tenant;
  let b: Tenant;

  const onboard = async (prefix: string): Promise<Tenant> => {
    const slug = uniqueSlug(prefix);
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: `admin@${prefix}.example`, password: PASSWORD } });
    expect(res.status).toBe(201);
    const [row] = await t.dataSource.query('SELECT id, schema_name FROM platform.tenants WHERE slug = $1', [slug]);
    const [admin] = await t.dataSource.query(`SELECT id FROM "${row.schema_name}".users`);
    return { id: row.id, slug, schema: row.schema_name, adminId: admin.id };
  };
  const rows = (tenant: Tenant, where = 'true', params: unknown[] = []) => t.dataSource.query(`SELECT * FROM "${tenant.schema}".audit_log WHERE ${where} ORDER BY seq`, params);
  const incidents = (tenant: Tenant, rule: string) => t.dataSource.query(`SELECT * FROM "${tenant.schema}".audit_incidents WHERE rule = $1 ORDER BY detected_at`, [rule]);
  /** Publishes events the way the relay does, so tests can shape times, addresses and redelivery. */
  const publish = (events: PendingEvent[]) => publisher.publishBatch(events.map((e) => ({ pattern: e.envelope.type, key: e.aggregate, data: JSON.stringify(e.envelope) })));
  const event = <T extends EventType>(tenant: Tenant, type: T, aggregate: string, data: EventCatalogue[T], at?: Date) => {
    const e = makeEvent(type, tenant.id, aggregate, data, { source: 'credence/test', actor: 'system' });
    if (at) e.envelope.time = at.toISOString();
    return e;
  };
  const failedLogin = (tenant: Tenant, userId: string | null, ip: string, at?: Date) =>
    event(
      tenant,
      'auth.login.failed',
      `user/${userId ?? 'unknown'}`,
      {
        user_id: userId,
        auth_method: 'local',
        reason: 'invalid_credentials',
        ip,
        user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0',
        device_type: 'desktop',
        location: null,
      },
      at,
    );
  const waitForRows = (tenant: Tenant, where: string, params: unknown[], n: number) =>
    waitFor(`${n} audit rows where ${where}`, async () => ((await rows(tenant, where, params)).length >= n ? true : null), 20_000);

  beforeAll(async () => {
    // A database and Redis prefix of its own: the audit consumer group is not shared with other files' apps.
    world = await createEventsWorld('audit_ingest');
    useEventsEnv({});
    t = await startTestApp([AuthAppModule, AuditAppModule], { DATABASE_URL: world.databaseUrl, REDIS_PREFIX: world.prefix });
    publisher = new RedisStreamsClient({ url: t.config.REDIS_URL, prefix: t.config.REDIS_PREFIX, partitions: t.config.EVENTS_PARTITIONS });
    [a, b] = [await onboard('auda'), await onboard('audb')];
  });
  afterAll(async () => {
    await publisher.close();
    await t.close();
    await world.cleanup();
  });

  it('records sign-ins with actor, outcome, severity, client and trace, chained from genesis', async () => {
    const ok = await t.call(
      'POST',
      `/v1/t/${a.slug}/auth/login`,
      { email: 'admin@auda.example', password: PASSWORD },
      {
        auth: false,
        headers: { 'user-agent': 'Mozilla/5.0 (Macintosh) Safari/605.1.15', traceparent: `00-${'12'.repeat(16)}-${'34'.repeat(8)}-01` },
      },
    );
    expect(ok.status).toBe(200);
    const bad = await t.call('POST', `/v1/t/${a.slug}/auth/login`, { email: 'admin@auda.example', password: 'not the password' }, { auth: false });
    expect(bad.status).toBe(401);
    await waitForRows(a, "type = 'auth.login.failed'", [], 1);

    const [success] = await rows(a, "type = 'auth.login.succeeded'");
    expect(success).toMatchObject({
      actor_type: 'user',
      actor_id: a.adminId,
      user_id: a.adminId,
      outcome: 'success',
      severity: 'info',
      ip: '127.0.0.1',
      trace_id: '12'.repeat(16),
    });
    expect(success.user_agent).toContain('Safari');
    expect(success.payload.ip).toBeUndefined();
    const [failure] = await rows(a, "type = 'auth.login.failed'");
    expect(failure).toMatchObject({ outcome: 'failure', severity: 'medium', user_id: a.adminId });
    // Without a traceparent the row still carries the request's trace id, the one its answer named.
    expect(bad.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(failure.trace_id).toBe(bad.headers.get('x-trace-id'));
    expect(ok.headers.get('x-trace-id')).toBe(success.trace_id);

    // The chain verifies from genesis over everything stored, and the head points at the last row.
    const all = await rows(a);
    let previous = GENESIS_HASH;
    all.forEach((r: any, i: number) => {
      expect(Number(r.seq)).toBe(i + 1);
      const record = { ...r, occurred_at: r.occurred_at.toISOString() };
      expect(personalDigest(record).equals(r.personal_digest)).toBe(true);
      expect(rowHash(previous, i + 1, record, r.personal_digest).equals(r.hash)).toBe(true);
      previous = r.hash;
    });
    const [head] = await t.dataSource.query(`SELECT last_seq, last_hash FROM "${a.schema}".audit_chain`);
    expect(Number(head.last_seq)).toBeGreaterThanOrEqual(all.length);
  });

  it('stores a redelivered event once', async () => {
    const e = event(a, 'user.updated', `user/${a.adminId}`, { user_id: a.adminId, changed: ['display_name'] });
    await publish([e, e]);
    await publish([e]);
    const marker = event(a, 'user.updated', `user/${a.adminId}`, { user_id: a.adminId, changed: ['phone'] });
    await publish([marker]);
    await waitForRows(a, 'event_id = $1', [marker.envelope.id], 1);
    expect(await rows(a, 'event_id = $1', [e.envelope.id])).toHaveLength(1);
  });

  it("keeps each tenant's events in its own trail, and platform events in the platform trail", async () => {
    const onlyB = event(b, 'user.deleted', `user/${b.adminId}`, { user_id: b.adminId });
    await publish([onlyB]);
    await waitForRows(b, 'event_id = $1', [onlyB.envelope.id], 1);
    expect(await rows(a, 'event_id = $1', [onlyB.envelope.id])).toHaveLength(0);

    const key = await t.call('POST', '/v1/admin/api-keys', { name: 'audited key', scopes: ['tenants:read'] });
    expect(key.status).toBe(201);
    const platformRow = await waitFor('the api key event in platform.platform_audit_log', async () => {
      const [r] = await t.dataSource.query(`SELECT * FROM platform.platform_audit_log WHERE type = 'platform.api_key.created' AND payload->>'api_key_id' = $1`, [key.body.id]);
      return r;
    });
    expect(platformRow.actor_type).toBe('platform_admin');

    // Tenant lifecycle is platform administration: it is in both trails.
    const [onboarded] = await t.dataSource.query(`SELECT event_id FROM "${b.schema}".audit_log WHERE type = 'tenant.onboarded'`);
    await waitFor('tenant.onboarded in the platform trail', async () =>
      (await t.dataSource.query('SELECT 1 FROM platform.platform_audit_log WHERE event_id = $1', [onboarded.event_id])).length ? true : null,
    );
  });

  it("holds a tenant's events while its schema lacks the audit tables (migrations behind), then stores them", async () => {
    // A tenant not yet migrated to the audit tables, as during a rolling deploy before `npm run migrate`.
    await t.dataSource.query(`ALTER TABLE "${b.schema}".audit_chain RENAME TO audit_chain_pending`);
    const held = event(b, 'user.updated', `user/${b.adminId}`, { user_id: b.adminId, changed: ['phone'] });
    try {
      await publish([held]);
      // Longer than the transport's own retries (100 ms doubling, 5 attempts) would last.
      await new Promise((r) => setTimeout(r, 3_500));
      expect(await rows(b, 'event_id = $1', [held.envelope.id])).toHaveLength(0);
    } finally {
      await t.dataSource.query(`ALTER TABLE "${b.schema}".audit_chain_pending RENAME TO audit_chain`);
    }
    await waitForRows(b, 'event_id = $1', [held.envelope.id], 1);
    // Not dead-lettered on the way.
    const dlq = await publisher.unwrap<import('ioredis').default>().xlen(`${t.config.REDIS_PREFIX}:events:dlq:${t.config.AUDIT_CONSUMER_GROUP}`);
    expect(dlq).toBe(0);
  });

  it("never shows one tenant's trail to another tenant's admin", async () => {
    const login = await t.call('POST', `/v1/t/${a.slug}/auth/login`, { email: 'admin@auda.example', password: PASSWORD }, { auth: false });
    expect(login.status).toBe(200);
    const own = await t.call('GET', `/v1/t/${a.slug}/audit/events?limit=200`, undefined, { auth: login.body.access_token });
    expect(own.status).toBe(200);
    expect(own.body.data.length).toBeGreaterThan(0);
    const bIds = new Set((await rows(b)).map((r: { event_id: string }) => r.event_id));
    expect(own.body.data.some((e: { event_id: string }) => bIds.has(e.event_id))).toBe(false);
    for (const path of ['events', 'export', 'report', 'verify', 'incidents']) {
      const other = await t.call('GET', `/v1/t/${b.slug}/audit/${path}`, undefined, { auth: login.body.access_token });
      expect([401, 403]).toContain(other.status);
      expect(JSON.stringify(other.body)).not.toContain(b.adminId);
    }
  });

  it('dead-letters an event it cannot store, lists it to platform admins without its payload, and re-drives letters into the trail', async () => {
    const redis = publisher.unwrap<import('ioredis').default>();
    const dlq = `${t.config.REDIS_PREFIX}:events:dlq:${t.config.AUDIT_CONSUMER_GROUP}`;
    // An event without a usable id can never be stored: after the transport's retries it is dead-lettered.
    const poison = event(a, 'user.updated', `user/${a.adminId}`, { user_id: a.adminId, changed: ['email'] });
    await publisher.publishBatch([{ pattern: 'user.updated', key: poison.aggregate, data: JSON.stringify({ ...poison.envelope, id: 'not-a-uuid' }) }]);
    const listed = await waitFor('the poison event in the dead letters', async () => {
      const res = await t.call('GET', '/v1/admin/audit/dead-letters?limit=100');
      return res.body.data?.find((l: { error: string }) => l.error.includes('no UUID id'));
    });
    expect(listed).toMatchObject({ type: 'user.updated', event_id: 'not-a-uuid', tenant_id: a.id, attempts: 5 });
    expect(JSON.stringify(listed)).not.toContain('email');

    // A letter whose cause is gone (as after a fix) goes back to the audit group and into the trail.
    const healed = event(a, 'user.updated', `user/${a.adminId}`, { user_id: a.adminId, changed: ['username'] });
    const letterId = await redis.xadd(
      dlq,
      '*',
      'stream',
      'x',
      'entry',
      '0-1',
      'p',
      'user.updated',
      'k',
      healed.aggregate,
      'd',
      JSON.stringify(healed.envelope),
      'error',
      'Error: database was down',
      'attempts',
      '5',
      'failed_at',
      new Date().toISOString(),
    );
    const redriven = await t.call('POST', '/v1/admin/audit/dead-letters/redrive', { ids: [letterId] });
    expect(redriven.status).toBe(200);
    expect(redriven.body).toEqual({ redriven: 1 });
    await waitForRows(a, 'event_id = $1', [healed.envelope.id], 1);
    expect(await redis.xrange(dlq, letterId!, letterId!)).toEqual([]);

    expect((await t.call('POST', '/v1/admin/audit/dead-letters/redrive', { ids: ['nope'] })).status).toBe(400);
    expect((await t.call('GET', '/v1/admin/audit/dead-letters', undefined, { auth: false })).status).toBe(401);
  });

  it('refuses updates and deletes of audit rows from the application', async () => {
    await expect(t.dataSource.query(`UPDATE "${a.schema}".audit_log SET outcome = 'success'`)).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query(`DELETE FROM "${a.schema}".audit_log`)).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query(`TRUNCATE "${a.schema}".audit_log`)).rejects.toThrow(/append-only/);
  });

  it('raises one incident when an account reaches the failed-login threshold in the window', async () => {
    const user = randomUUID();
    const start = Date.now() - 5 * 60_000;
    // Four inside the window and one long before it: not enough.
    await publish([
      failedLogin(a, user, '198.51.100.1', new Date(start - 3600_000)),
      ...[0, 1, 2, 3].map((i) => failedLogin(a, user, '198.51.100.1', new Date(start + i * 1000))),
    ]);
    await waitForRows(a, 'user_id = $1', [user], 5);
    expect(await incidents(a, 'audit.failed_logins_per_account')).toHaveLength(0);
    // The fifth and sixth: one incident, not two.
    await publish([failedLogin(a, user, '198.51.100.1', new Date(start + 5000)), failedLogin(a, user, '198.51.100.1', new Date(start + 6000))]);
    await waitForRows(a, 'user_id = $1', [user], 7);
    const raised = await waitFor('incident', async () =>
      (await incidents(a, 'audit.failed_logins_per_account')).length ? incidents(a, 'audit.failed_logins_per_account') : null,
    );
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ key: user, user_id: user, severity: 'high', event_count: 5 });
    // The violation is published and audited as critical.
    const [violation] = await waitFor('violation in the trail', async () => {
      const r = await rows(a, "type = 'security.violation.detected' AND payload->>'rule' = 'audit.failed_logins_per_account'");
      return r.length ? r : null;
    });
    expect(violation).toMatchObject({ severity: 'critical', outcome: 'failure', user_id: user });
  });

  it('finds the threshold when failures arrive out of time order (partitions are read side by side)', async () => {
    const user = randomUUID();
    const base = Date.now() - 8 * 60_000;
    // Newest first, each stored before the next is sent: only a window reaching past each event's time sees all five.
    for (const offset of [240, 180, 120, 60, 0]) {
      const e = failedLogin(a, user, '198.51.100.2', new Date(base + offset * 1000));
      await publish([e]);
      await waitForRows(a, 'event_id = $1', [e.envelope.id], 1);
    }
    const [raised] = await waitFor('out-of-order incident', async () => {
      const r = await t.dataSource.query(`SELECT * FROM "${a.schema}".audit_incidents WHERE rule = 'audit.failed_logins_per_account' AND key = $1`, [user]);
      return r.length ? r : null;
    });
    expect(raised.event_count).toBe(5);
    // Five failures spread over more than the window raise nothing.
    const other = randomUUID();
    await publish([0, 200, 400, 600, 800].map((s) => failedLogin(a, other, '198.51.100.3', new Date(base - 3600_000 + s * 1000))));
    await waitForRows(a, 'user_id = $1', [other], 5);
    expect(await t.dataSource.query(`SELECT 1 FROM "${a.schema}".audit_incidents WHERE key = $1`, [other])).toHaveLength(0);
  });

  it("raises an incident for many failures from one address across accounts, with the tenant's own threshold", async () => {
    // Tenant B lowers its threshold to 3; A keeps the default 20.
    const patched = await t.call('PATCH', `/v1/admin/tenants/${b.slug}`, { settings: { detect_failed_logins_per_ip: 3 } });
    expect(patched.status).toBe(200);
    const ip = '203.0.113.77';
    const now = Date.now();
    const burst = (tenant: Tenant) => [0, 1, 2].map((i) => failedLogin(tenant, randomUUID(), ip, new Date(now - 10_000 + i)));
    await publish([...burst(a), ...burst(b)]);
    await waitForRows(a, 'ip = $1', [ip], 3);
    const raised = await waitFor('incident in B', async () => {
      const r = await incidents(b, 'audit.failed_logins_per_ip');
      return r.length ? r : null;
    });
    expect(raised[0]).toMatchObject({ key: ip, ip, event_count: 3, user_id: null });
    expect(raised[0].details.accounts).toBe(3);
    expect(await incidents(a, 'audit.failed_logins_per_ip')).toHaveLength(0);

    // Twenty in A: the default threshold fires.
    await publish(Array.from({ length: 17 }, (_, i) => failedLogin(a, randomUUID(), ip, new Date(now - 5_000 + i))));
    await waitFor('incident in A', async () => ((await incidents(a, 'audit.failed_logins_per_ip')).length ? true : null));
  });

  it('raises an incident on refresh-token reuse', async () => {
    const session = randomUUID();
    await publish([event(a, 'auth.token.reuse_detected', `session/${session}`, { session_id: session, user_id: a.adminId })]);
    const [raised] = await waitFor('reuse incident', async () => {
      const r = await t.dataSource.query(`SELECT * FROM "${a.schema}".audit_incidents WHERE rule = 'audit.refresh_token_reuse' AND key = $1`, [session]);
      return r.length ? r : null;
    });
    expect(raised).toMatchObject({ severity: 'critical', user_id: a.adminId });
  });

  it('raises an incident for logins from two countries within the window, not for one country', async () => {
    const user = randomUUID();
    const login = (location: string, at: Date) =>
      event(
        a,
        'auth.login.succeeded',
        `user/${user}`,
        { user_id: user, session_id: randomUUID(), auth_method: 'local', ip: '192.0.2.1', user_agent: null, device_type: null, location },
        at,
      );
    const now = Date.now();
    await publish([login('Berlin, DE', new Date(now - 50 * 60_000)), login('Munich, DE', new Date(now - 40 * 60_000))]);
    await waitForRows(a, 'user_id = $1', [user], 2);
    expect(await t.dataSource.query(`SELECT 1 FROM "${a.schema}".audit_incidents WHERE rule = 'audit.impossible_travel' AND key = $1`, [user])).toHaveLength(0);
    await publish([login('Austin, US', new Date(now - 10 * 60_000))]);
    const [raised] = await waitFor('travel incident', async () => {
      const r = await t.dataSource.query(`SELECT * FROM "${a.schema}".audit_incidents WHERE rule = 'audit.impossible_travel' AND key = $1`, [user]);
      return r.length ? r : null;
    });
    expect(raised.details.countries.sort()).toEqual(['DE', 'US']);
  });
});
