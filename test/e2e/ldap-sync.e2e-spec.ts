import { randomBytes } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { RequestContext } from '@credence/context';
import { KeyEncryption } from '@credence/crypto';
import { secretsAssociatedData } from '@credence/federation';
import { JOBS, QUEUES } from '@credence/queues';
import { LdapSyncSweep, RunLdapSync } from '@credence/sync';
import { TenantTransactionRunner } from '@credence/tenancy';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { FederationAppModule } from '../../apps/federation/src/federation-app.module';
import { SyncAppModule } from '../../apps/sync/src/sync-app.module';
import { generatedDirectory, groupDn, userDn } from '../support/ldap-directory';
import { connectionLdapSettings, Slapd, startSlapd } from '../support/slapd';
import { eventsOf, onboard, Tenant } from './identity-authz-fixture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const USERS = 300;
const DOMAIN = 'corp.example';

/**
 * LDAP directory sync (issue 15 item 3) against a real slapd holding a generated directory (loaded
 * with slapadd, every entry stamped 2026-01-01 so a later change stands out): full and incremental
 * runs through POST /connections/{id}/sync and the real BullMQ worker, groups feeding the group → role
 * rules, leavers under the safety share, a worker killed mid-run, hostile requests, a stalled directory.
 */
describe('LDAP directory sync', () => {
  let t: TestApp;
  let slapd: Slapd;
  let a: Tenant;
  let b: Tenant;
  let connectionId: string;

  const ldapSettings = (over: Record<string, unknown> = {}) => connectionLdapSettings(slapd, over);
  const createConnection = async (tenant: Tenant, body: Record<string, unknown>): Promise<string> => {
    const res = await t.call('POST', `/v1/t/${tenant.slug}/connections`, { name: `Directory ${Math.random().toString(36).slice(2, 7)}`, ...body }, { auth: tenant.admin });
    if (res.status !== 201) throw new Error(`connection: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  };
  const start = (tenant: Tenant, id: string, body: unknown = {}) => t.call('POST', `/v1/t/${tenant.slug}/connections/${id}/sync`, body, { auth: tenant.admin });
  const runOf = async (tenant: Tenant, id: string) => {
    for (let i = 0; i < 600; i += 1) {
      const res = await t.call('GET', `/v1/t/${tenant.slug}/sync/runs/${id}`, undefined, { auth: tenant.admin });
      if (res.status !== 200) throw new Error(`run ${id}: ${res.status} ${JSON.stringify(res.body)}`);
      if (res.body.status !== 'started') return res.body;
      await sleep(100);
    }
    throw new Error(`run ${id} did not finish`);
  };
  const sync = async (tenant: Tenant, id: string, body: Record<string, unknown> = {}) => {
    const res = await start(tenant, id, body);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ sync_id: expect.any(String), status: 'started' });
    return runOf(tenant, res.body.sync_id);
  };
  const user = async (tenant: Tenant, username: string) => {
    const [row] = await t.dataSource.query(
      `SELECT u.id, u.email, u.username, u.display_name, u.status,
              coalesce((SELECT array_agg(r.name ORDER BY r.name) FROM "${tenant.schema}".user_roles ur JOIN "${tenant.schema}".roles r ON r.id = ur.role_id WHERE ur.user_id = u.id), '{}') AS roles
         FROM "${tenant.schema}".users u WHERE u.username = $1`,
      [username],
    );
    return row;
  };
  const count = async (tenant: Tenant, sql: string, params: unknown[] = []) => Number((await t.dataSource.query(sql.replace(/\$schema/g, `"${tenant.schema}"`), params))[0].n);

  beforeAll(async () => {
    slapd = await startSlapd({
      preload: generatedDirectory({
        users: USERS,
        domain: DOMAIN,
        groups: [
          { cn: 'managers', members: (i) => i < 10 },
          { cn: 'engineers', members: (i) => i < 100 },
        ],
      }),
    });
    t = await startTestApp([AuthAppModule, FederationAppModule, SyncAppModule]);
    t.app.get(RunLdapSync).pageSize = 100;
    a = await onboard(t, 'ldsync-a');
    b = await onboard(t, 'ldsync-b');
    connectionId = await createConnection(a, { type: 'ldap', group_role_mapping: [{ group: 'managers', role: 'manager' }], ldap: ldapSettings() });
  });
  afterAll(async () => {
    await t?.close();
    await slapd?.stop();
  });

  it('a full run creates every directory user page by page, with group roles, linked for LDAP sign-in', async () => {
    const run = await sync(a, connectionId);
    expect(run).toMatchObject({ status: 'completed', source: `ldap-${connectionId}`, mode: 'full', received: USERS, processed: USERS, created: USERS, failed: 0, errors: [] });
    expect(run.progress).toMatchObject({ pages: 3, entries_read: USERS });
    expect(await user(a, 'u0')).toMatchObject({ email: `u0@${DOMAIN}`, display_name: 'Given0 Family0', status: 'active', roles: ['manager'] });
    expect((await user(a, 'u10')).roles).toEqual([]);
    expect(await count(a, `SELECT count(*) AS n FROM $schema.federated_identities WHERE connection_id = $1`, [connectionId])).toBe(USERS);

    // LDAP sign-in finds the synced user (by entryUUID), it does not make another.
    const before = await count(a, `SELECT count(*) AS n FROM $schema.users`);
    const signIn = await t.call('POST', `/v1/t/${a.slug}/auth/login`, { connection: connectionId, username: 'u1', password: 'pw-u1' }, { auth: false });
    expect(signIn.status).toBe(200);
    expect(signIn.body.user.id).toBe((await user(a, 'u1')).id);
    expect(await count(a, `SELECT count(*) AS n FROM $schema.users`)).toBe(before);

    const types = (await eventsOf(t, a)).filter((e) => e.subject === `sync_run/${run.sync_id}`).map((e) => e.type);
    expect(types).toEqual(['sync.run.started', 'sync.run.completed']);
    const state = await t.call('GET', `/v1/t/${a.slug}/connections/${connectionId}/sync`, undefined, { auth: a.admin });
    expect(state.body).toMatchObject({ source: `ldap-${connectionId}`, high_water: { kind: 'timestamp', value: '20260101000000Z' }, last_sync_id: run.sync_id });
  });

  it('an incremental run reads only what changed since the last run', async () => {
    const idle = await sync(a, connectionId, { mode: 'incremental' });
    expect(idle).toMatchObject({ status: 'completed', mode: 'incremental', received: 0, created: 0, updated: 0 });
    expect(idle.progress).toMatchObject({ entries_read: 0, read_all: false });

    await slapd.modify(`dn: ${userDn(5)}\nchangetype: modify\nreplace: givenName\ngivenName: Renamed\n`);
    const events = (await eventsOf(t, a, 'user.updated')).length;
    const run = await sync(a, connectionId, { mode: 'incremental' });
    expect(run).toMatchObject({ status: 'completed', received: 1, updated: 1, created: 0 });
    expect((await user(a, 'u5')).display_name).toBe('Renamed Family5');
    expect((await eventsOf(t, a, 'user.updated')).length).toBe(events + 1);
  });

  it('a membership that ends takes the role away on the next incremental run', async () => {
    await slapd.modify(`dn: ${groupDn('managers')}\nchangetype: modify\ndelete: member\nmember: ${userDn(3)}\n`);
    const run = await sync(a, connectionId, { mode: 'incremental' });
    expect(run).toMatchObject({ status: 'completed', created: 0 });
    // A group changed: every user was read again, unchanged ones skipped by their hash.
    expect(run.progress).toMatchObject({ read_all: true, entries_read: USERS });
    expect((await user(a, 'u3')).roles).toEqual([]);
    expect((await user(a, 'u4')).roles).toEqual(['manager']);
    const u3 = (await user(a, 'u3')).id;
    expect((await eventsOf(t, a, 'user.role.removed')).filter((e) => e.data.user_id === u3)).toHaveLength(1);
  });

  it('a full run disables a leaver, and refuses to disable more than the safety share unless forced', async () => {
    await slapd.modify(`dn: ${userDn(USERS - 1)}\nchangetype: delete\n`);
    const one = await sync(a, connectionId);
    expect(one).toMatchObject({ status: 'completed', disabled: 1, created: 0 });
    expect((await user(a, `u${USERS - 1}`)).status).toBe('disabled');

    const gone = Array.from({ length: 80 }, (_, k) => USERS - 2 - k);
    await slapd.modify(gone.map((i) => `dn: ${userDn(i)}\nchangetype: delete\n`).join('\n'));
    const refused = await sync(a, connectionId);
    expect(refused).toMatchObject({ status: 'failed', failure: { code: 'sync.disable_share_exceeded' }, disabled: 0, created: 0, updated: 0 });
    expect(refused.failure.message).toContain('80 of 299');
    expect((await user(a, `u${gone[0]}`)).status).toBe('active');

    const forced = await sync(a, connectionId, { force: true });
    expect(forced).toMatchObject({ status: 'completed', disabled: 80 });
    expect((await user(a, `u${gone[0]}`)).status).toBe('disabled');
  });

  it('a worker killed mid-run resumes from its last page without creating or counting anything twice', async () => {
    const id = await createConnection(b, { type: 'ldap', ldap: ldapSettings() });
    const runner = t.app.get(TenantTransactionRunner);
    const context = t.app.get(RequestContext);
    const processor = t.app.get(RunLdapSync);
    const tenant = { id: b.id, slug: b.slug, schema: b.schema };
    const inserted = await context.runWith({ tenant, principal: b.adminId }, () =>
      runner.inTenant((uow) =>
        uow.query<{ id: string }[]>(
          `INSERT INTO sync_runs (id, source, mode, force, status, requested_by, users, seen_external_ids, counts) VALUES (gen_random_uuid(), $1, 'full', false, 'started', 'test', '[]', '{}', '{}') RETURNING id`,
          [`ldap-${id}`],
        ),
      ),
    );
    const runId = inserted[0].id;
    const real = runner.inTenant.bind(runner);
    let locked = 0;
    const spy = jest.spyOn(runner, 'inTenant').mockImplementation(((work: never, options?: { locks?: { key: string }[] }) => {
      // The listing's transaction, then two pages commit; the worker dies before the third.
      if (options?.locks?.length && ++locked === 4) return Promise.reject(new Error('worker killed'));
      return real(work, options as never);
    }) as never);
    const source = `sync:ldap-${id}`;
    await expect(context.runWith({ tenant, principal: source }, () => processor.process(b.id, runId))).rejects.toThrow('worker killed');
    spy.mockRestore();
    const [mid] = await t.dataSource.query(`SELECT cardinality(done_external_ids) AS done, counts FROM "${b.schema}".sync_runs WHERE id = $1`, [runId]);
    expect(mid.done).toBe(200);
    expect(mid.counts.created).toBe(200);

    expect(await context.runWith({ tenant, principal: source }, () => processor.process(b.id, runId))).toBe('completed');
    const run = (await t.call('GET', `/v1/t/${b.slug}/sync/runs/${runId}`, undefined, { auth: b.admin })).body;
    const present = USERS - 81;
    expect(run).toMatchObject({ status: 'completed', created: present, processed: present, received: present });
    expect(await count(b, `SELECT count(*) AS n FROM $schema.sync_state WHERE source = $1`, [`ldap-${id}`])).toBe(present);
    expect((await eventsOf(t, b, 'user.created')).length).toBe(present);
    expect(await context.runWith({ tenant, principal: source }, () => processor.process(b.id, runId))).toBe('skipped');
  });

  it('answers hostile requests with the documented errors', async () => {
    expect((await start(b, connectionId)).status).toBe(404);
    expect((await start(b, connectionId)).body.error.code).toBe('connection.not_found');
    expect((await start(a, 'not-a-uuid')).status).toBe(404);
    const oidc = await createConnection(a, { type: 'oidc', oidc: { issuer: 'https://acme.okta.example/', client_id: 'abc', client_secret: 'a-secret-of-some-length' } });
    const notLdap = await start(a, oidc);
    expect(notLdap.status).toBe(400);
    expect(notLdap.body.error.code).toBe('sync.connection_not_ldap');
    expect((await start(a, connectionId, { mode: 'sometimes' })).status).toBe(400);
    expect((await start(a, connectionId, { extra: 1 })).status).toBe(400);
    expect((await t.call('POST', `/v1/t/${a.slug}/connections/${connectionId}/sync`, {}, { auth: false })).status).toBe(401);
    // An LDAP connection's source cannot be fed through the batch API.
    const batch = await t.call(
      'POST',
      `/v1/t/${a.slug}/sync/users`,
      { source: `ldap-${connectionId}`, mode: 'full', users: [{ external_id: 'x', username: 'x', email: 'x@corp.example', status: 'active' }] },
      { auth: a.admin },
    );
    expect(batch.status).toBe(400);
    expect(batch.body.error.code).toBe('validation.failed');

    // One run at a time per connection: a started run whose job is waiting refuses another.
    const [held] = await t.dataSource.query(
      `INSERT INTO "${a.schema}".sync_runs (id, source, mode, force, status, requested_by, users, seen_external_ids) VALUES (gen_random_uuid(), $1, 'full', false, 'started', 'test', '[]', '{}') RETURNING id`,
      [`ldap-${connectionId}`],
    );
    const queue = t.app.get<Queue>(getQueueToken(QUEUES.sync));
    const job = await queue.add(JOBS.ldapSync, { tenantId: a.id, syncId: held.id }, { jobId: `ldap-sync-${held.id}`, delay: 600_000 });
    const busy = await start(a, connectionId);
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('sync.run_in_progress');

    // Its job lost (Redis flushed, say): the orphan is failed and the new run starts.
    await job.remove();
    const replaced = await start(a, connectionId);
    expect(replaced.status).toBe(202);
    const [orphan] = await t.dataSource.query(`SELECT status, failure FROM "${a.schema}".sync_runs WHERE id = $1`, [held.id]);
    expect(orphan).toMatchObject({ status: 'failed', failure: { code: 'service.unavailable' } });
    expect(await runOf(a, replaced.body.sync_id)).toMatchObject({ status: 'completed' });
  });

  it('runs a due schedule from the sweep', async () => {
    const put = await t.call('PUT', `/v1/t/${a.slug}/connections/${connectionId}/sync/schedule`, { enabled: true, interval_minutes: 5 }, { auth: a.admin });
    expect(put.status).toBe(200);
    expect(put.body.schedule).toEqual({ enabled: true, interval_minutes: 5, full_every_hours: 24 });
    expect((await t.call('PUT', `/v1/t/${a.slug}/connections/${connectionId}/sync/schedule`, { enabled: true, interval_minutes: 1 }, { auth: a.admin })).status).toBe(400);
    await t.dataSource.query(`UPDATE "${a.schema}".ldap_sync SET last_run_at = now() - interval '10 minutes' WHERE connection_id = $1`, [connectionId]);
    const out = await t.app.get(LdapSyncSweep).sweep();
    expect(out.started).toBeGreaterThanOrEqual(1);
    const [row] = await t.dataSource.query(`SELECT id, mode, requested_by FROM "${a.schema}".sync_runs WHERE source = $1 ORDER BY created_at DESC LIMIT 1`, [
      `ldap-${connectionId}`,
    ]);
    expect(row).toMatchObject({ mode: 'incremental', requested_by: 'system:ldap-sync' });
    expect(await runOf(a, row.id)).toMatchObject({ status: 'completed' });
    // Not due again within its interval.
    expect((await t.app.get(LdapSyncSweep).sweep()).started).toBe(0);
  });

  it('fails a run with a clear error, and no hang, when the directory stops answering', async () => {
    const stalled = await startSlapd();
    try {
      const id = await createConnection(a, { type: 'ldap', ldap: ldapSettings({ url: stalled.ldapUrl, start_tls: false, ca_certificate: undefined, timeout_ms: 1000 }) });
      stalled.pause();
      const began = Date.now();
      const run = await sync(a, id);
      expect(run).toMatchObject({ status: 'failed', failure: { code: 'federation.ldap_unavailable' } });
      expect(run.failure.message).toMatch(/no answer within 1000 ms|timeout|Timeout/i);
      expect(Date.now() - began).toBeLessThan(15_000);
      expect((await eventsOf(t, a, 'sync.run.failed')).some((e) => e.data.sync_id === run.sync_id && e.data.error === 'federation.ldap_unavailable')).toBe(true);
    } finally {
      await stalled.stop();
    }
  });

  it('fails a run at once with federation.secrets_unreadable when the service password was sealed under another key-encryption key', async () => {
    const id = await createConnection(a, { type: 'ldap', ldap: ldapSettings() });
    const elsewhere = new KeyEncryption(randomBytes(32).toString('base64'));
    const sealed = elsewhere.encrypt(Buffer.from(JSON.stringify({ bind_password: 'whatever' })), secretsAssociatedData(a.id, id));
    await t.dataSource.query(`UPDATE "${a.schema}".connections SET secrets = $2, secrets_kek_id = $3 WHERE id = $1`, [id, sealed, elsewhere.kekId]);
    const run = await sync(a, id);
    expect(run).toMatchObject({ status: 'failed', failure: { code: 'federation.secrets_unreadable', message: "The connection's secrets cannot be opened." } });
    expect((await eventsOf(t, a, 'sync.run.failed')).some((e) => e.data.sync_id === run.sync_id && e.data.error === 'federation.secrets_unreadable')).toBe(true);
  });
});
