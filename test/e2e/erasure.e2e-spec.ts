import { Client } from 'pg';
import { PERSONAL_PAYLOAD_FIELDS } from '@credence/contracts';
import { makeEvent } from '@credence/outbox';
import { RedisStreamsClient } from '@credence/redis-streams-transport';
import { startTestApp, TestApp } from '@credence/testing';
import { AuditAppModule } from '../../apps/audit/src/audit-app.module';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { createEventsWorld, EventsWorld, useEventsEnv } from '../support/events/events-world';
import { waitFor } from '../support/child-platform';
import { ADMIN_PASSWORD, expectedAnonymousIp, login, onboard, SAFARI_IPHONE, Tenant, verifyTrail } from './retention-fixture';

const GRACE_PASSWORD = 'grace has a long password';

/**
 * Erasure through the API with ingest running: the user's sessions and audit rows lose their
 * personal fields, the chain still verifies, user.erased is recorded, and events about the user
 * that happened before the erasure but arrive after it are stored without personal fields.
 */
describe('erasure', () => {
  let world: EventsWorld;
  let t: TestApp;
  let db: Client;
  let tenant: Tenant;
  let adminToken: string;

  beforeAll(async () => {
    world = await createEventsWorld('erasure');
    useEventsEnv({});
    t = await startTestApp([AuthAppModule, AuditAppModule], { DATABASE_URL: world.databaseUrl, REDIS_PREFIX: world.prefix, RETENTION_ENABLED: 'false' });
    db = new Client({ connectionString: world.databaseUrl });
    await db.connect();
    tenant = await onboard(t, db, 'erase');
    adminToken = await login(t, tenant.slug, `admin@${tenant.slug}.example`, ADMIN_PASSWORD);
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await t?.close();
    await world?.cleanup();
  });

  const as = (token: string) => ({ auth: token });
  const erase = (id: string, token = adminToken) => t.call('POST', `/v1/t/${tenant.slug}/users/${id}/erase`, undefined, as(token));

  async function createEmployee(email: string): Promise<string> {
    const created = await t.call('POST', `/v1/t/${tenant.slug}/users`, { email, password: GRACE_PASSWORD }, as(adminToken));
    expect(created.status).toBe(201);
    expect((await t.call('POST', `/v1/t/${tenant.slug}/users/${created.body.id}/roles/employee`, undefined, as(adminToken))).status).toBeLessThan(300);
    return created.body.id;
  }

  /** The personal fields of an event's data that still hold a value. */
  const personalLeft = (data: Record<string, unknown>) => PERSONAL_PAYLOAD_FIELDS.filter((f) => data[f] !== undefined && data[f] !== null);
  /** Events about the user (data.user_id or subject user/<id>), as the trail decides. */
  const about = (userId: string) => (e: { subject: string; data: Record<string, unknown> }) => e.data.user_id === userId || e.subject === `user/${userId}`;
  const replay = async () => {
    const res = await t.call('GET', `/v1/t/${tenant.slug}/events?limit=1000`, undefined, as(adminToken));
    expect(res.status).toBe(200);
    return res.body.data as { id: string; type: string; subject: string; data: Record<string, unknown> }[];
  };
  const outboxEvents = () =>
    db
      .query(`SELECT event FROM platform.outbox WHERE tenant_id = $1`, [tenant.id])
      .then((r) => r.rows.map((x) => x.event as { id: string; type: string; subject: string; data: Record<string, unknown> }));

  const auditRows = (userId: string) =>
    db
      .query(`SELECT seq, event_id, type, ip, user_agent, location, identity, erased_at FROM "${tenant.schema}".audit_log WHERE user_id = $1 ORDER BY seq`, [userId])
      .then((r) => r.rows);

  it('anonymises the user’s sessions and audit rows in one go, records user.erased, and the chain still verifies', async () => {
    const grace = await createEmployee('grace@erase.example');
    const graceToken = await login(t, tenant.slug, 'grace@erase.example', GRACE_PASSWORD, { location: 'Lyon, FR' }, { 'user-agent': SAFARI_IPHONE });
    await login(t, tenant.slug, 'grace@erase.example', GRACE_PASSWORD, { location: 'Berlin, DE' });
    // Ingest has the sign-ins with the client's address, user agent and location.
    await waitFor('the sign-ins in the audit trail', async () => (await auditRows(grace)).filter((r) => r.type === 'auth.login.succeeded' && r.ip).length === 2, 15_000);

    // An employee may not erase anyone (nor themself).
    const denied = await erase(grace, graceToken);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('authz.access.denied');
    await waitFor('the denial in the audit trail', async () => (await auditRows(grace)).some((r) => r.type === 'authz.access.denied'), 15_000);

    // Replay has her e-mail (user.created) and her address (the sign-ins), and so has the outbox.
    await waitFor(
      'the sign-ins in the event store',
      async () => (await replay()).filter((e) => e.type === 'auth.login.succeeded' && e.data.user_id === grace && e.data.ip).length === 2,
      15_000,
    );
    expect(JSON.stringify(await replay())).toContain('grace@erase.example');
    expect((await outboxEvents()).filter(about(grace)).some((e) => personalLeft(e.data).length)).toBe(true);
    // An incident about her, with the address the rule saw.
    await db.query(
      `INSERT INTO "${tenant.schema}".audit_incidents (id, rule, severity, key, user_id, ip, event_count, window_started_at, detected_at, trigger_event_id, details)
       VALUES (gen_random_uuid(), 'audit.failed_logins_per_account', 'high', $1::text, $1::uuid, '192.0.2.7', 5, now() - interval '1 minute', now(), gen_random_uuid(), '{}')`,
      [grace],
    );

    const { rows: before } = await db.query(`SELECT id, ip FROM "${tenant.schema}".auth_sessions WHERE user_id = $1`, [grace]);
    const rowsBefore = (await auditRows(grace)).length;
    const lastSeqBefore = Math.max(...(await auditRows(grace)).map((r) => Number(r.seq)));
    const res = await erase(grace);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user_id: grace, erased_at: expect.any(String), sessions: 2, audit_rows: rowsBefore });

    const { rows: sessions } = await db.query(`SELECT id, ip, user_agent, location, anonymised_at FROM "${tenant.schema}".auth_sessions WHERE user_id = $1`, [grace]);
    for (const s of sessions) {
      const original = before.find((b) => b.id === s.id)!.ip;
      expect(s.ip).toBe(await expectedAnonymousIp(db, tenant.schema, original));
      expect(s.anonymised_at).toBeInstanceOf(Date);
    }
    expect(sessions.map((s) => s.location).sort()).toEqual(['DE', 'FR']);
    expect(sessions.map((s) => s.user_agent)).toContain('Mobile Safari (mobile)');
    // Rows recorded before are marked erased; events ingested since (user.erased itself) arrive already blank.
    for (const r of await auditRows(grace)) {
      expect(r).toMatchObject({ ip: null, user_agent: null, location: null, identity: null });
      if (Number(r.seq) <= lastSeqBefore) expect(r.erased_at).toBeInstanceOf(Date);
    }
    // Blanking personal fields leaves every hash valid: the digest stands in for them.
    await expect(verifyTrail(db, tenant.schema)).resolves.toMatchObject({ from: 1 });

    // Replay and the outbox keep her events, ids and order, but no e-mail, address, client or place.
    const replayed = await replay();
    expect(JSON.stringify(replayed)).not.toContain('grace@erase.example');
    const hers = replayed.filter(about(grace));
    expect(hers.filter((e) => e.type === 'auth.login.succeeded')).toHaveLength(2);
    for (const e of hers) expect({ id: e.id, type: e.type, left: personalLeft(e.data) }).toEqual({ id: e.id, type: e.type, left: [] });
    expect(hers.find((e) => e.type === 'user.created')?.data).toMatchObject({ user_id: grace, email: null });
    const outbox = await outboxEvents();
    expect(JSON.stringify(outbox)).not.toContain('grace@erase.example');
    for (const e of outbox.filter(about(grace))) expect({ id: e.id, type: e.type, left: personalLeft(e.data) }).toEqual({ id: e.id, type: e.type, left: [] });
    // Incidents keep what happened, not where from.
    // (Detection may raise its own too, e.g. Lyon then Berlin within the hour, with the countries it saw.)
    const { rows: incidents } = await db.query(`SELECT rule, ip, details FROM "${tenant.schema}".audit_incidents WHERE user_id = $1 ORDER BY rule`, [grace]);
    expect(incidents).toContainEqual({ rule: 'audit.failed_logins_per_account', ip: null, details: {} });
    for (const incident of incidents) expect(incident).toMatchObject({ ip: null, details: expect.not.objectContaining({ countries: expect.anything() }) });
    // Other users' events keep theirs: the admin's sign-in still names its address.
    expect(replayed.some((e) => e.type === 'auth.login.succeeded' && e.data.user_id === tenant.adminId && e.data.ip)).toBe(true);

    const { rows: erased } = await db.query(`SELECT erased_by FROM "${tenant.schema}".erased_users WHERE user_id = $1`, [grace]);
    expect(erased).toEqual([{ erased_by: `user:${tenant.adminId}` }]);
    const { rows: events } = await db.query(`SELECT event FROM platform.outbox WHERE type = 'user.erased' AND tenant_id = $1`, [tenant.id]);
    expect(events.map((e) => e.event)).toEqual([
      expect.objectContaining({ subject: `user/${grace}`, actor: `user:${tenant.adminId}`, data: { user_id: grace, sessions: 2, audit_rows: rowsBefore } }),
    ]);

    // Idempotent: a second request succeeds, changes nothing and records nothing.
    const again = await erase(grace);
    expect(again.body).toEqual({ user_id: grace, erased_at: res.body.erased_at, sessions: 0, audit_rows: 0 });
    expect((await db.query(`SELECT count(*)::int AS n FROM platform.outbox WHERE type = 'user.erased' AND tenant_id = $1`, [tenant.id])).rows[0].n).toBe(1);

    // An event from before the erasure that was still in flight is stored without personal fields.
    const publisher = new RedisStreamsClient({ url: t.config.REDIS_URL, prefix: world.prefix, partitions: t.config.EVENTS_PARTITIONS });
    const inFlight = makeEvent(
      'auth.login.failed',
      tenant.id,
      `user/${grace}`,
      {
        user_id: grace,
        auth_method: 'local',
        reason: 'invalid_credentials',
        ip: '192.0.2.44',
        user_agent: SAFARI_IPHONE,
        device_type: 'mobile',
        location: 'Lyon, FR',
      },
      { source: 'credence/test', actor: 'system' },
    );
    inFlight.envelope.time = new Date(new Date(res.body.erased_at).getTime() - 1000).toISOString();
    await publisher.publishBatch([{ pattern: inFlight.envelope.type, key: inFlight.aggregate, data: JSON.stringify(inFlight.envelope) }]);
    await publisher.close();
    const [stored] = await waitFor(
      'the in-flight event in the trail',
      async () => {
        const r = (await auditRows(grace)).filter((x) => x.event_id === inFlight.envelope.id);
        return r.length ? r : null;
      },
      15_000,
    );
    expect(stored).toMatchObject({ ip: null, user_agent: null, location: null, identity: null });

    // What the user does after the erasure is new data, recorded as usual.
    await login(t, tenant.slug, 'grace@erase.example', GRACE_PASSWORD, { location: 'Rome, IT' }, { 'user-agent': SAFARI_IPHONE });
    await waitFor('the later sign-in in the audit trail', async () => (await auditRows(grace)).filter((r) => r.type === 'auth.login.succeeded').length === 3, 15_000);
    const later = (await auditRows(grace)).filter((r) => r.type === 'auth.login.succeeded')[2];
    expect(later).toMatchObject({ location: 'Rome, IT', erased_at: null });
    expect(later.ip).not.toBeNull();
    await expect(verifyTrail(db, tenant.schema)).resolves.toMatchObject({ from: 1 });
  });

  it('erases a user named in upper case as the same user, and records user.erased with the id as the contract writes it', async () => {
    const lin = await createEmployee('lin@erase.example');
    const res = await erase(lin.toUpperCase());
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe(lin);
    const erased = (await outboxEvents()).filter((e) => e.type === 'user.erased' && String(e.data.user_id).toLowerCase() === lin);
    expect(erased.map((e) => [e.subject, e.data.user_id])).toEqual([[`user/${lin}`, lin]]);
    // A second request, in either case, finds nothing left to do.
    expect((await erase(lin)).status).toBe(200);
    expect((await outboxEvents()).filter((e) => e.type === 'user.erased' && String(e.data.user_id).toLowerCase() === lin)).toHaveLength(1);
  });

  it('erases a user who was already deleted, and answers 404 only for an id known nowhere', async () => {
    const ada = await createEmployee('ada@erase.example');
    await login(t, tenant.slug, 'ada@erase.example', GRACE_PASSWORD);
    await waitFor('the sign-in in the audit trail', async () => (await auditRows(ada)).some((r) => r.ip), 15_000);
    expect((await t.call('DELETE', `/v1/t/${tenant.slug}/users/${ada}`, undefined, as(adminToken))).status).toBe(204);
    await waitFor('user.deleted in the audit trail', async () => (await auditRows(ada)).some((r) => r.type === 'user.deleted'), 15_000);

    // The account and its sessions are gone; the audit trail still names the id.
    const res = await erase(ada);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user_id: ada, sessions: 0, audit_rows: (await auditRows(ada)).length });
    expect((await auditRows(ada)).every((r) => r.ip === null && r.erased_at)).toBe(true);

    const unknown = await erase('0196b8f1-7a4c-7d2e-9f00-123456789abc');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('user.not_found');
    expect((await erase('not-a-uuid')).body.error.code).toBe('user.not_found');
    expect((await t.call('POST', `/v1/t/${tenant.slug}/users/${ada}/erase`, undefined, { auth: false })).status).toBe(401);
  });
});
