import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { v7 as uuidv7 } from 'uuid';
import { QUEUES } from '@credence/queues';
import { RequestContext } from '@credence/context';
import { checkBatch, CHUNK_SIZE, contentHash, ProcessSyncRun } from '@credence/sync';
import { SyncRunProcessor } from '../../libs/sync/src/runs/process-run/sync-run.processor';
import { TenantTransactionRunner } from '@credence/tenancy';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { SyncAppModule } from '../../apps/sync/src/sync-app.module';
import { eventsOf, login, onboard, PASSWORD, Tenant } from './identity-authz-fixture';

interface Credential {
  client_id: string;
  client_secret: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const basic = (c: Credential) => `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;

const person = (n: number, over: Record<string, unknown> = {}) => ({
  external_id: `e-${n}`,
  username: `user${n}`,
  email: `user${n}@corp.example`,
  status: 'active',
  given_name: `Given${n}`,
  family_name: `Family${n}`,
  attributes: { department: 'sales' },
  ...over,
});

/**
 * The sync API (issue 15 items 1-2) through apps/auth + apps/sync in one process, with the real
 * BullMQ worker: batches in, runs out, users as identity makes them, the disable share, conflicts.
 */
describe('sync API', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;

  const send = (tenant: Tenant, body: unknown, auth: string | { headers: Record<string, string> } = tenant.admin) =>
    t.call('POST', `/v1/t/${tenant.slug}/sync/users`, body, typeof auth === 'string' ? { auth } : { auth: false, headers: auth.headers });
  const runOf = async (tenant: Tenant, id: string) => {
    for (let i = 0; i < 300; i += 1) {
      const res = await t.call('GET', `/v1/t/${tenant.slug}/sync/runs/${id}`, undefined, { auth: tenant.admin });
      if (res.status !== 200) throw new Error(`run ${id}: ${res.status} ${JSON.stringify(res.body)}`);
      if (res.body.status !== 'started') return res.body;
      await sleep(100);
    }
    throw new Error(`run ${id} did not finish`);
  };
  const sync = async (tenant: Tenant, body: Record<string, unknown>) => {
    const res = await send(tenant, body);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ sync_id: expect.any(String), status: 'started' });
    return runOf(tenant, res.body.sync_id);
  };
  const userByExternal = async (tenant: Tenant, source: string, externalId: string) =>
    (
      await t.dataSource.query(`SELECT u.* FROM "${tenant.schema}".users u JOIN "${tenant.schema}".sync_state s ON s.user_id = u.id WHERE s.source = $1 AND s.external_id = $2`, [
        source,
        externalId,
      ])
    )[0];
  const userEventCount = async (tenant: Tenant) => (await eventsOf(t, tenant)).filter((e) => e.type.startsWith('user.')).length;
  const credential = async (tenant: Tenant, permissions: string[]): Promise<Credential> => {
    const res = await t.call('POST', `/v1/t/${tenant.slug}/service-credentials`, { name: `sync-${permissions.join('-') || 'none'}`, permissions }, { auth: tenant.admin });
    if (res.status !== 201) throw new Error(`credential: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule, SyncAppModule]);
    a = await onboard(t, 'sync-a');
    b = await onboard(t, 'sync-b');
  });
  afterAll(() => t.close());

  it('creates ordinary users from a batch, findable by q, inactive and suspended ones disabled, events naming the source', async () => {
    const run = await sync(a, {
      source: 'hr',
      mode: 'incremental',
      users: [person(1), person(2, { status: 'inactive' }), person(3, { status: 'suspended', attributes: { department: 'ops', level: 3 } })],
    });
    expect(run).toMatchObject({ status: 'completed', source: 'hr', mode: 'incremental', received: 3, processed: 3, failed: 0, created: 3, errors: [] });
    expect(run.timings.duration_ms).toEqual(expect.any(Number));
    const found = await t.call('GET', `/v1/t/${a.slug}/users?q=user1@corp.example`, undefined, { auth: a.admin });
    expect(found.body.data).toEqual([
      expect.objectContaining({
        email: 'user1@corp.example',
        username: 'user1',
        display_name: 'Given1 Family1',
        status: 'active',
        attributes: { department: 'sales', given_name: 'Given1', family_name: 'Family1' },
      }),
    ]);
    expect((await userByExternal(a, 'hr', 'e-2')).status).toBe('disabled');
    expect((await userByExternal(a, 'hr', 'e-3')).status).toBe('disabled');
    const rows = await t.dataSource.query(`SELECT event FROM platform.outbox WHERE tenant_id = $1 AND type = 'user.created' ORDER BY position`, [a.id]);
    const synced = rows.map((r: { event: { actor: string; data: { email: string } } }) => r.event).filter((e: { actor: string }) => e.actor === 'sync:hr');
    expect(synced.map((e: { data: { email: string } }) => e.data.email).sort()).toEqual(['user1@corp.example', 'user2@corp.example', 'user3@corp.example']);
    const runEvents = (await eventsOf(t, a)).filter((e) => e.subject === `sync_run/${run.sync_id}`).map((e) => e.type);
    expect(runEvents).toEqual(['sync.run.started', 'sync.run.completed']);
  });

  it('changes nothing and emits no user event when the same batch comes again', async () => {
    const before = await userEventCount(a);
    const stamp = (await userByExternal(a, 'hr', 'e-1')).updated_at;
    // xmin changes with any write of a row: an unchanged user's rows must not be written at all.
    const versions = () =>
      t.dataSource.query(
        `SELECT s.external_id, s.xmin::text AS state, u.xmin::text AS usr FROM "${a.schema}".sync_state s JOIN "${a.schema}".users u ON u.id = s.user_id WHERE s.source = 'hr' ORDER BY 1`,
      );
    const written = await versions();
    expect(written).toHaveLength(3);
    const run = await sync(a, {
      source: 'hr',
      mode: 'incremental',
      users: [person(1), person(2, { status: 'inactive' }), person(3, { status: 'suspended', attributes: { level: 3, department: 'ops' } })],
    });
    expect(run).toMatchObject({ status: 'completed', processed: 3, unchanged: 3, created: 0, updated: 0 });
    expect(await userEventCount(a)).toBe(before);
    expect((await userByExternal(a, 'hr', 'e-1')).updated_at).toEqual(stamp);
    expect(await versions()).toEqual(written);
  });

  it('updates a changed user (user.updated names the fields) and re-enables one the source reactivates', async () => {
    const run = await sync(a, { source: 'hr', mode: 'incremental', users: [person(1, { given_name: 'Ada' }), person(2)] });
    expect(run).toMatchObject({ status: 'completed', updated: 2 });
    const u1 = await userByExternal(a, 'hr', 'e-1');
    expect(u1.display_name).toBe('Ada Family1');
    const events = await eventsOf(t, a);
    expect(events.filter((e) => e.type === 'user.updated' && e.data.user_id === u1.id).pop()?.data.changed).toEqual(['display_name', 'attributes']);
    const u2 = await userByExternal(a, 'hr', 'e-2');
    expect(u2.status).toBe('active');
    expect(events.filter((e) => e.type === 'user.enabled' && e.data.user_id === u2.id)).toHaveLength(1);
  });

  it('reports bad records one by one and applies the rest; a body-level problem is a 400 that stores nothing', async () => {
    const run = await sync(a, {
      source: 'hostile',
      mode: 'incremental',
      users: [
        person(100),
        person(101, { username: 'x'.repeat(100_000) }),
        person(102, { updated_at: '2026-02-30T10:00:00Z' }),
        person(103),
        person(103, { email: 'other103@corp.example' }),
        person(104, { attributes: { deep: { deeper: { deepest: 1 } } } }),
        person(105, { email: 'not an address' }),
        { external_id: 'y'.repeat(5000), username: 'y', email: 'y@corp.example', status: 'active' },
        person(106, { status: 'gone' }),
        'not an object',
      ],
    });
    expect(run).toMatchObject({ status: 'completed', received: 10, processed: 1, created: 1, failed: 9 });
    const codes = run.errors.map((e: { external_id: string | null; code: string }) => [e.external_id?.slice(0, 10) ?? null, e.code]);
    expect(codes).toEqual(
      expect.arrayContaining([
        ['e-101', 'validation.failed'],
        ['e-102', 'validation.failed'],
        ['e-103', 'sync.duplicate_external_id'],
        ['e-103', 'sync.duplicate_external_id'],
        ['e-104', 'validation.failed'],
        ['e-105', 'validation.failed'],
        ['yyyyyyyyyy', 'validation.failed'],
        ['e-106', 'validation.failed'],
        [null, 'validation.failed'],
      ]),
    );
    expect(run.errors.every((e: { external_id: string | null; message: string }) => (e.external_id ?? '').length <= 256 && e.message.length < 300)).toBe(true);
    expect(await userByExternal(a, 'hostile', 'e-103')).toBeUndefined();

    const runsBefore = (await t.dataSource.query(`SELECT count(*)::int AS n FROM "${a.schema}".sync_runs`))[0].n;
    const nul = await send(a, { source: 'hostile', mode: 'incremental', users: [person(107, { given_name: 'a\u0000b' })] });
    expect(nul.status).toBe(400);
    expect(nul.body.error.code).toBe('validation.failed');
    let deep: unknown = 1;
    for (let i = 0; i < 40; i += 1) deep = { d: deep };
    const tooDeep = await send(a, { source: 'hostile', mode: 'incremental', users: [person(108, { attributes: deep })] });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.error.code).toBe('request.malformed');
    for (const body of [
      { source: 'Bad Source', mode: 'incremental', users: [person(1)] },
      { source: 'hr', mode: 'sometimes', users: [person(1)] },
      { source: 'hr', mode: 'full', users: [] },
      { source: 'hr', mode: 'full', users: [person(1)], force: 'yes' },
      { source: 'hr', mode: 'full', users: [person(1)], extra: 1 },
      [person(1)],
    ]) {
      const res = await send(a, body);
      expect([res.status, res.body.error?.code]).toEqual([400, 'validation.failed']);
    }
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM "${a.schema}".sync_runs`))[0].n).toBe(runsBefore);
  });

  it('accepts 10,000 users on this route while another route still refuses a large body', async () => {
    const users = Array.from({ length: 10_000 }, (_, i) => person(10_000 + i, { attributes: { department: 'eng', cost_centre: `cc-${i % 50}` } }));
    const body = { source: 'big', mode: 'full', users };
    expect(JSON.stringify(body).length).toBeGreaterThan(2_000_000);
    const run = await sync(a, body);
    expect(run).toMatchObject({ status: 'completed', created: 10_000, failed: 0 });
    const big = await t.call('POST', `/v1/t/${a.slug}/users`, { email: 'big@corp.example', attributes: { note: 'x'.repeat(200_000) } }, { auth: a.admin });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('request.too_large');
    const again = await sync(a, { source: 'big', mode: 'incremental', users });
    expect(again).toMatchObject({ status: 'completed', unchanged: 10_000 });
    const tooMany = await send(a, { source: 'big', mode: 'full', users: [...users, person(99_999)] });
    expect([tooMany.status, tooMany.body.error.code]).toEqual([400, 'validation.failed']);
  }, 120_000);

  it('full mode refuses to disable more than max_disable_share and changes nothing; force disables and ends sessions', async () => {
    const users = Array.from({ length: 10 }, (_, i) => person(200 + i));
    await sync(a, { source: 'ldap-main', mode: 'full', users });
    // e-200 can sign in: its sessions must end when the source drops it.
    await t.dataSource.query(
      `UPDATE "${a.schema}".users SET password_hash = (SELECT password_hash FROM "${a.schema}".users WHERE id = $1) WHERE email = 'user200@corp.example'`,
      [a.adminId],
    );
    const u200 = await userByExternal(a, 'ldap-main', 'e-200');
    expect((await t.call('POST', `/v1/t/${a.slug}/users/${u200.id}/roles/employee`, undefined, { auth: a.admin })).status).toBe(200);
    const token = await login(t, a.slug, 'user200@corp.example', PASSWORD);
    expect((await t.call('GET', `/v1/t/${a.slug}/me`, undefined, { auth: token })).status).toBe(200);

    const before = await userEventCount(a);
    const kept = [person(203, { given_name: 'Changed' }), ...users.slice(4)];
    const refused = await sync(a, { source: 'ldap-main', mode: 'full', users: kept });
    expect(refused).toMatchObject({ status: 'failed', failure: { code: 'sync.disable_share_exceeded' }, processed: 0 });
    expect(refused.failure.message).toContain('3 of 10');
    expect(await userEventCount(a)).toBe(before);
    expect((await userByExternal(a, 'ldap-main', 'e-203')).display_name).toBe('Given203 Family203');
    expect((await userByExternal(a, 'ldap-main', 'e-200')).status).toBe('active');
    const failedEvent = (await eventsOf(t, a, 'sync.run.failed')).pop();
    expect(failedEvent?.data).toEqual({ sync_id: refused.sync_id, source: 'ldap-main', mode: 'full', error: 'sync.disable_share_exceeded' });

    const forced = await sync(a, { source: 'ldap-main', mode: 'full', force: true, users: kept });
    expect(forced).toMatchObject({ status: 'completed', disabled: 3, updated: 1 });
    for (const id of ['e-200', 'e-201', 'e-202']) expect((await userByExternal(a, 'ldap-main', id)).status).toBe('disabled');
    const me = await t.call('GET', `/v1/t/${a.slug}/me`, undefined, { auth: token });
    expect([me.status, me.body.error.code]).toEqual([401, 'auth.session.revoked']);

    // Within the share: 1 of 7 goes without force.
    const small = await sync(a, { source: 'ldap-main', mode: 'full', users: kept.slice(1) });
    expect(small).toMatchObject({ status: 'completed', disabled: 1 });
  });

  it('source_wins applies the source over an admin edit; manual keeps it open; resolving settles it', async () => {
    await sync(a, { source: 'crm', mode: 'incremental', users: [person(300), person(301)] });
    const u300 = await userByExternal(a, 'crm', 'e-300');
    const u301 = await userByExternal(a, 'crm', 'e-301');
    for (const u of [u300, u301]) {
      const res = await t.call('PATCH', `/v1/t/${a.slug}/users/${u.id}`, { email: `admin-set-${u.username}@corp.example` }, { auth: a.admin });
      expect(res.status).toBe(200);
    }
    // source_wins (the default): the source's new e-mail replaces the admin's.
    const r1 = await sync(a, { source: 'crm', mode: 'incremental', users: [person(300, { email: 'source-300@corp.example' })] });
    expect(r1).toMatchObject({ updated: 1, conflicts: 0 });
    expect((await userByExternal(a, 'crm', 'e-300')).email).toBe('source-300@corp.example');

    // An admin edit the source did not touch is kept by any strategy.
    const kept = await sync(a, { source: 'crm', mode: 'incremental', users: [person(301, { given_name: 'Renamed' })] });
    expect(kept).toMatchObject({ updated: 1, conflicts: 0 });
    expect((await userByExternal(a, 'crm', 'e-301')).email).toBe('admin-set-user301@corp.example');

    const put = await t.call('PUT', `/v1/t/${a.slug}/sync/sources/crm`, { conflict_strategy: 'manual' }, { auth: a.admin });
    expect(put.body).toEqual({ source: 'crm', conflict_strategy: 'manual', timestamp_tolerance_ms: 5000, max_disable_share: 0.2 });
    const listed = await t.call('GET', `/v1/t/${a.slug}/sync/sources`, undefined, { auth: a.admin });
    expect(listed.body.data).toEqual(expect.arrayContaining([put.body, expect.objectContaining({ source: 'hr', conflict_strategy: 'source_wins' })]));

    const r2 = await sync(a, { source: 'crm', mode: 'incremental', users: [person(301, { given_name: 'Renamed', email: 'source-301@corp.example' })] });
    expect(r2).toMatchObject({ conflicts: 1 });
    expect((await userByExternal(a, 'crm', 'e-301')).email).toBe('admin-set-user301@corp.example');
    const open = await t.call('GET', `/v1/t/${a.slug}/sync/conflicts?status=open`, undefined, { auth: a.admin });
    const conflict = open.body.data.find((c: { external_id: string }) => c.external_id === 'e-301');
    expect(conflict).toMatchObject({
      source: 'crm',
      user_id: u301.id,
      field: 'email',
      source_value: 'source-301@corp.example',
      credence_value: 'admin-set-user301@corp.example',
      status: 'open',
    });
    const detected = (await eventsOf(t, a, 'sync.conflict.detected')).pop();
    expect(detected?.data).toEqual({ conflict_id: conflict.id, source: 'crm', external_id: 'e-301', user_id: u301.id, field: 'email' });

    const badMerge = await t.call('POST', `/v1/t/${a.slug}/sync/conflicts/${conflict.id}/resolve`, { resolution: 'merged', data: { value: 'nope' } }, { auth: a.admin });
    expect([badMerge.status, badMerge.body.error.code]).toEqual([400, 'validation.failed']);
    const resolved = await t.call('POST', `/v1/t/${a.slug}/sync/conflicts/${conflict.id}/resolve`, { resolution: 'source' }, { auth: a.admin });
    expect(resolved.body).toMatchObject({ status: 'resolved', resolution: 'source' });
    expect((await userByExternal(a, 'crm', 'e-301')).email).toBe('source-301@corp.example');
    const twice = await t.call('POST', `/v1/t/${a.slug}/sync/conflicts/${conflict.id}/resolve`, { resolution: 'credence' }, { auth: a.admin });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'sync.conflict_resolved']);
    expect((await eventsOf(t, a, 'sync.conflict.resolved')).pop()?.data).toMatchObject({ conflict_id: conflict.id, resolution: 'source' });
  });

  it('timestamp: the newer side wins, within the tolerance it is a conflict', async () => {
    await t.call('PUT', `/v1/t/${a.slug}/sync/sources/payroll`, { conflict_strategy: 'timestamp', timestamp_tolerance_ms: 60_000 }, { auth: a.admin });
    await sync(a, { source: 'payroll', mode: 'incremental', users: [person(400), person(401), person(402)] });
    for (const n of [400, 401, 402]) {
      const u = await userByExternal(a, 'payroll', `e-${n}`);
      await t.call('PATCH', `/v1/t/${a.slug}/users/${u.id}`, { email: `admin-${n}@corp.example` }, { auth: a.admin });
    }
    const now = Date.now();
    const run = await sync(a, {
      source: 'payroll',
      mode: 'incremental',
      users: [
        person(400, { email: 'newer-400@corp.example', updated_at: new Date(now + 3_600_000).toISOString() }),
        person(401, { email: 'older-401@corp.example', updated_at: new Date(now - 3_600_000).toISOString() }),
        person(402, { email: 'close-402@corp.example', updated_at: new Date(now).toISOString() }),
      ],
    });
    expect(run).toMatchObject({ status: 'completed', conflicts: 1 });
    expect((await userByExternal(a, 'payroll', 'e-400')).email).toBe('newer-400@corp.example');
    expect((await userByExternal(a, 'payroll', 'e-401')).email).toBe('admin-401@corp.example');
    expect((await userByExternal(a, 'payroll', 'e-402')).email).toBe('admin-402@corp.example');
    const open = await t.call('GET', `/v1/t/${a.slug}/sync/conflicts?status=open`, undefined, { auth: a.admin });
    expect(open.body.data.filter((c: { source: string }) => c.source === 'payroll').map((c: { external_id: string }) => c.external_id)).toEqual(['e-402']);
  });

  it('lets a sync.write credential in, refuses one without it (403), and keeps tenants apart (404)', async () => {
    const writer = await credential(a, ['sync.write']);
    const other = await credential(a, ['token.introspect']);
    const ok = await send(a, { source: 'svc', mode: 'incremental', users: [person(500)] }, { headers: { authorization: basic(writer) } });
    expect(ok.status).toBe(202);
    const run = await t.call('GET', `/v1/t/${a.slug}/sync/runs/${ok.body.sync_id}`, undefined, { auth: false, headers: { authorization: basic(writer) } });
    expect(run.status).toBe(200);
    await runOf(a, ok.body.sync_id);
    const denied = await send(a, { source: 'svc', mode: 'incremental', users: [person(501)] }, { headers: { authorization: basic(other) } });
    expect([denied.status, denied.body.error.code]).toEqual([403, 'authz.access.denied']);
    const noManage = await t.call('GET', `/v1/t/${a.slug}/sync/conflicts`, undefined, { auth: false, headers: { authorization: basic(writer) } });
    expect(noManage.status).toBe(401);

    const fromB = await t.call('GET', `/v1/t/${b.slug}/sync/runs/${ok.body.sync_id}`, undefined, { auth: b.admin });
    expect([fromB.status, fromB.body.error.code]).toEqual([404, 'sync.run_not_found']);
    const listB = await t.call('GET', `/v1/t/${b.slug}/sync/runs`, undefined, { auth: b.admin });
    expect(listB.body.data).toEqual([]);
    const crossToken = await send(b, { source: 'svc', mode: 'incremental', users: [person(502)] }, a.admin);
    expect(crossToken.status).toBe(401);
    const crossCred = await send(b, { source: 'svc', mode: 'incremental', users: [person(502)] }, { headers: { authorization: basic(writer) } });
    expect(crossCred.status).toBe(401);
    expect(await userByExternal(b, 'svc', 'e-502')).toBeUndefined();
  });

  it('lists runs newest first with cursor pagination', async () => {
    const first = await t.call('GET', `/v1/t/${a.slug}/sync/runs?limit=2`, undefined, { auth: a.admin });
    expect(first.body.data).toHaveLength(2);
    expect(first.body.data[0]).toEqual(
      expect.objectContaining({ sync_id: expect.any(String), source: expect.any(String), mode: expect.any(String), status: expect.any(String) }),
    );
    expect(first.body.data[0].errors).toBeUndefined();
    const second = await t.call('GET', `/v1/t/${a.slug}/sync/runs?limit=2&cursor=${first.body.meta.next_cursor}`, undefined, { auth: a.admin });
    expect(second.body.data).toHaveLength(2);
    expect(second.body.data[0].sync_id < first.body.data[1].sync_id).toBe(true);
  });

  it('two identical batches raced in parallel create each user once', async () => {
    const users = Array.from({ length: 1200 }, (_, i) => person(600_000 + i));
    const [r1, r2] = await Promise.all([send(b, { source: 'race', mode: 'incremental', users }), send(b, { source: 'race', mode: 'incremental', users })]);
    const [x, y] = await Promise.all([runOf(b, r1.body.sync_id), runOf(b, r2.body.sync_id)]);
    expect(x.created + y.created).toBe(1200);
    expect(x.failed + y.failed).toBe(0);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${b.schema}".users WHERE email LIKE 'user6%@corp.example'`);
    expect(n).toBe(1200);
    expect((await eventsOf(t, b, 'user.created')).filter((e) => e.data.email.startsWith('user6')).length).toBe(1200);
  }, 60_000);

  // `hashed`: stored as the API stores a run now, with each record's content hash; without them, as a
  // run stored before the hashes were kept (read the old way).
  it.each([
    ['with record hashes', true, 700_000],
    ['stored before record hashes', false, 800_000],
  ])(
    'a worker that dies after a chunk resumes from the stored position without applying anything twice (%s)',
    async (_label, hashed, base) => {
      const users = Array.from({ length: CHUNK_SIZE * 2 + 200 }, (_, i) => person(base + i));
      const { records, seen } = checkBatch(users);
      const id = uuidv7();
      const source = `crash${base}`;
      await t.dataSource.query(
        `INSERT INTO "${b.schema}".sync_runs (id, source, mode, force, status, requested_by, users, seen_external_ids, counts, record_keys, record_hashes)
       VALUES ($1, $5, 'full', false, 'started', 'test', $2, $3, $4, $6, $7)`,
        [
          id,
          JSON.stringify(records),
          seen,
          JSON.stringify({ received: users.length, failed: 0 }),
          source,
          hashed ? records.map((r) => r.external_id) : null,
          hashed ? records.map(contentHash) : null,
        ],
      );
      const runner = t.app.get(TenantTransactionRunner);
      const context = t.app.get(RequestContext);
      const processor = t.app.get(ProcessSyncRun);
      const tenant = { id: b.id, slug: b.slug, schema: b.schema };
      const original = runner.inTenant.bind(runner);
      let locked = 0;
      // Only the run's own units under its source lock are counted (other work of the app, such as the
      // webhook fan-out reacting to chunk 1's events, also opens tenant units): begin, (with hashes: the
      // search for changed records,) chunk 1 commit; the next (chunk 2) never runs: the process "dies".
      const killAt = hashed ? 4 : 3;
      const spy = jest.spyOn(runner, 'inTenant').mockImplementation((work, options) => {
        if (options?.locks?.some((l) => l.key === `sync-source:${b.id}:${source}`) && ++locked === killAt) return Promise.reject(new Error('worker killed'));
        return original(work, options);
      });
      await expect(context.runWith({ tenant, principal: `sync:${source}` }, () => processor.process(b.id, id))).rejects.toThrow('worker killed');
      spy.mockRestore();
      const [mid] = await t.dataSource.query(`SELECT next_index, counts, status FROM "${b.schema}".sync_runs WHERE id = $1`, [id]);
      expect(mid).toMatchObject({ next_index: CHUNK_SIZE, status: 'started', counts: expect.objectContaining({ created: CHUNK_SIZE }) });

      expect(await context.runWith({ tenant, principal: `sync:${source}` }, () => processor.process(b.id, id))).toBe('completed');
      const run = await runOf(b, id);
      expect(run).toMatchObject({ status: 'completed', created: users.length, processed: users.length, failed: 0 });
      const prefix = `user${String(base)[0]}`;
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${b.schema}".users WHERE email LIKE $1`, [`${prefix}%@corp.example`]);
      expect(n).toBe(users.length);
      const created = (await eventsOf(t, b, 'user.created')).filter((e) => e.data.email.startsWith(prefix));
      expect(created).toHaveLength(users.length);
      expect((await eventsOf(t, b, 'sync.run.started')).filter((e) => e.data.sync_id === id)).toHaveLength(1);
      // A retry of a finished run does nothing.
      expect(await context.runWith({ tenant, principal: `sync:${source}` }, () => processor.process(b.id, id))).toBe('skipped');
    },
    60_000,
  );

  describe('a run that will never be processed', () => {
    const stored = async (tenant: Tenant, id: string) =>
      (
        await t.dataSource.query(
          `SELECT status, failure, CASE jsonb_typeof(users) WHEN 'array' THEN jsonb_array_length(users) END AS kept FROM "${tenant.schema}".sync_runs WHERE id = $1`,
          [id],
        )
      )[0];
    /** Submits a batch while the queue is paused, so its run stays queued until the test lets it go. */
    const queued = async (tenant: Tenant, source: string) => {
      const res = await send(tenant, { source, mode: 'incremental', users: [person(700)] });
      expect(res.status).toBe(202);
      return res.body.sync_id as string;
    };
    // The queue, not the worker, is paused: a paused worker whose wait for a job was already under way
    // still takes the next one (under load that was the job the test meant to hold back).
    const queue = () => t.app.get<Queue>(getQueueToken(QUEUES.sync), { strict: false });

    it('is failed, not left started, when its tenant was suspended before its job ran', async () => {
      const c = await onboard(t, 'sync-c');
      await queue().pause();
      let id: string;
      try {
        id = await queued(c, 'hr-suspended');
        expect((await t.call('POST', `/v1/admin/tenants/${c.slug}/suspend`)).status).toBe(200);
      } finally {
        await queue().resume();
      }
      for (let i = 0; i < 100 && (await stored(c, id)).status === 'started'; i += 1) await sleep(100);
      expect(await stored(c, id)).toEqual({ status: 'failed', failure: { code: 'tenant.suspended', message: expect.any(String) }, kept: 0 });
      const failed = (await eventsOf(t, c)).filter((e) => e.subject === `sync_run/${id}`).map((e) => [e.type, e.data.error]);
      expect(failed).toEqual([['sync.run.failed', 'tenant.suspended']]);
    });

    it('is failed when its job fails on the last attempt, and left to BullMQ before that', async () => {
      await queue().pause();
      const id = await queued(a, 'hr-doomed');
      try {
        // A stored batch processing cannot read: every attempt throws.
        await t.dataSource.query(`UPDATE "${a.schema}".sync_runs SET users = '"not a batch"'::jsonb WHERE id = $1`, [id]);
        const attempt = (attemptsMade: number) => t.app.get(SyncRunProcessor).run({ data: { tenantId: a.id, syncId: id }, attemptsMade, opts: { attempts: 10 } } as never);
        await expect(attempt(3)).rejects.toThrow();
        expect((await stored(a, id)).status).toBe('started');
        await expect(attempt(9)).rejects.toThrow();
        expect(await stored(a, id)).toMatchObject({ status: 'failed', failure: { code: 'service.unavailable' } });
      } finally {
        await queue().resume();
      }
    });
  });
});
