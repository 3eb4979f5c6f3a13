import { Client } from 'pg';
import { TEST_ADMIN_KEY } from '@credence/testing';
import { ChildPlatform, ensureBuilt, QUICK_JOB_TAKEOVER, startChildPlatform, waitFor } from '../support/child-platform';
import { createEventsWorld, EventsWorld } from '../support/events/events-world';
import { generatedDirectory } from '../support/ldap-directory';
import { GROUPS, PEOPLE, SERVICE_DN, SERVICE_PASSWORD, Slapd, startSlapd } from '../support/slapd';
import { ADMIN_PASSWORD, onboard, Tenant } from './retention-fixture';

const USERS = 6000;

/**
 * A platform process SIGKILLed in the middle of an LDAP sync run (6,000 users, pages of 500): what
 * it committed stays, page by page; a fresh process's worker takes the stalled job once its lock
 * lapses, resumes the same run after the ids already done, and completes it with every user created
 * exactly once and every count counted once.
 */
describe('LDAP sync killed mid-run', () => {
  let world: EventsWorld;
  let db: Client;
  let slapd: Slapd;
  let child: ChildPlatform | undefined;
  const env = () => ({ DATABASE_URL: world.databaseUrl, REDIS_PREFIX: world.prefix, RETENTION_ENABLED: 'false', AUDIT_INGEST_ENABLED: 'false', ...QUICK_JOB_TAKEOVER });
  const call = async (c: ChildPlatform, method: string, path: string, body?: unknown, token = TEST_ADMIN_KEY) => {
    const res = await fetch(`${c.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => undefined), headers: res.headers };
  };
  const runRow = async (tenant: Tenant, id: string) =>
    (await db.query(`SELECT status, counts, cardinality(done_external_ids) AS done FROM "${tenant.schema}".sync_runs WHERE id = $1`, [id])).rows[0];
  const count = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0].n as number;

  beforeAll(async () => {
    ensureBuilt();
    world = await createEventsWorld('ldcrash');
    db = new Client({ connectionString: world.databaseUrl });
    await db.connect();
    slapd = await startSlapd({ preload: generatedDirectory({ users: USERS, domain: 'crash.example', groups: [{ cn: 'staff', members: (i) => i % 3 === 0 }] }) });
  }, 120_000);
  afterAll(async () => {
    await child?.kill();
    await db?.end();
    await world?.cleanup();
    await slapd?.stop();
  });

  it('resumes the killed run in a new process without creating or counting anything twice', async () => {
    child = await startChildPlatform(env());
    const tenant = await onboard({ call: ((m: string, p: string, b?: unknown) => call(child!, m, p, b)) as never }, db, 'ldcrash');
    const token = (await call(child, 'POST', `/v1/t/${tenant.slug}/auth/login`, { email: `admin@${tenant.slug}.example`, password: ADMIN_PASSWORD }, '')).body.access_token;
    const connection = await call(
      child,
      'POST',
      `/v1/t/${tenant.slug}/connections`,
      {
        type: 'ldap',
        name: 'Directory',
        group_role_mapping: [{ group: 'staff', role: 'manager' }],
        ldap: {
          url: slapd.ldapUrl,
          bind_dn: SERVICE_DN,
          bind_password: SERVICE_PASSWORD,
          user_search_base: PEOPLE,
          user_search_filter: '(uid={{username}})',
          group_search_base: GROUPS,
          timeout_ms: 10_000,
        },
      },
      token,
    );
    expect(connection.status).toBe(201);
    const started = await call(child, 'POST', `/v1/t/${tenant.slug}/connections/${connection.body.id}/sync`, { mode: 'full' }, token);
    expect(started.status).toBe(202);
    const runId: string = started.body.sync_id;

    await waitFor('two pages to commit', async () => Number((await runRow(tenant, runId))?.done ?? 0) >= 1000, 60_000);
    await child.kill('SIGKILL');
    const killed = await runRow(tenant, runId);
    expect(killed.status).toBe('started');
    expect(killed.done).toBeLessThan(USERS);
    expect(killed.done % 500).toBe(0);
    // Exactly what committed is counted: the users, their state rows and the run's counts agree.
    expect(killed.counts.created).toBe(killed.done);
    expect(await count(`SELECT count(*)::int AS n FROM "${tenant.schema}".sync_state`)).toBe(killed.done);

    // A fresh process: BullMQ hands it the stalled job once the killed worker's lock lapses (10 s here).
    child = await startChildPlatform(env());
    await waitFor('the killed run to complete in the new process', async () => (await runRow(tenant, runId))?.status === 'completed', 150_000);
    const done = (await call(child, 'GET', `/v1/t/${tenant.slug}/sync/runs/${runId}`, undefined, token)).body;
    expect(done).toMatchObject({ status: 'completed', created: USERS, processed: USERS, received: USERS, failed: 0 });
    expect(await count(`SELECT count(*)::int AS n FROM "${tenant.schema}".sync_state`)).toBe(USERS);
    expect(await count(`SELECT count(*)::int AS n FROM "${tenant.schema}".users WHERE email LIKE '%@crash.example'`)).toBe(USERS);
    expect(await count(`SELECT count(*)::int AS n FROM "${tenant.schema}".federated_identities`)).toBe(USERS);
    expect(await count(`SELECT count(*)::int AS n FROM platform.outbox WHERE tenant_id = $1 AND type = 'user.created'`, [tenant.id])).toBe(USERS);
    expect(await count(`SELECT count(*)::int AS n FROM platform.outbox WHERE tenant_id = $1 AND type = 'user.role.assigned'`, [tenant.id])).toBe(USERS / 3);
    await child.kill();
  }, 300_000);
});
