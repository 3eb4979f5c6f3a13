import { Client } from 'pg';
import { TEST_ADMIN_KEY } from '@credence/testing';
import { ChildPlatform, ensureBuilt, QUICK_JOB_TAKEOVER, startChildPlatform, waitFor } from '../support/child-platform';
import { createEventsWorld, EventsWorld } from '../support/events/events-world';
import { cutoff, DAY_MS, onboard, runRetention, Tenant } from './retention-fixture';

// 60 batches: a run lasts seconds, so the kill after five batches always lands mid-run.
const SESSIONS = 30_000;
const BATCH = 500;

/**
 * A platform process killed with SIGKILL in the middle of a tenant's run: every batch it committed
 * is counted, none half-done; after a restart the next run finishes the rest, and every session is
 * anonymised exactly once (its address hashed once, from the original).
 */
describe('retention killed mid-run', () => {
  let world: EventsWorld;
  let db: Client;
  let child: ChildPlatform | undefined;
  const env = () => ({
    DATABASE_URL: world.databaseUrl,
    REDIS_PREFIX: world.prefix,
    RETENTION_ENABLED: 'false',
    RETENTION_BATCH_SIZE: String(BATCH),
    AUDIT_INGEST_ENABLED: 'false',
    ...QUICK_JOB_TAKEOVER,
  });
  const api = (c: ChildPlatform) => ({
    async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
      const res = await fetch(`${c.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => undefined), headers: res.headers };
    },
  });

  beforeAll(async () => {
    ensureBuilt();
    world = await createEventsWorld('retcrash');
    db = new Client({ connectionString: world.databaseUrl });
    await db.connect();
  }, 120_000);
  afterAll(async () => {
    await child?.kill();
    await db?.end();
    await world?.cleanup();
  });

  /** SESSIONS sessions past the anonymisation age; addresses derived from a number kept in device_type, so the expected hash can be recomputed. */
  const fillSessions = (tenant: Tenant, asOf: Date) =>
    db.query(
      `INSERT INTO "${tenant.schema}".auth_sessions (id, user_id, auth_method, ip, user_agent, device_type, location, status, created_at, last_seen_at, idle_expires_at, absolute_expires_at)
       SELECT gen_random_uuid(), $1, 'local', '10.' || (i / 65536) || '.' || (i / 256 % 256) || '.' || (i % 256),
              (ARRAY['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
                     'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
                     'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0'])[1 + i % 3],
              i::text, 'Town ' || i || ', DE', 'expired', $2, $2, $2, $2
         FROM generate_series(1, $3) AS i`,
      [tenant.adminId, new Date(cutoff(asOf, 180).getTime() - DAY_MS), SESSIONS],
    );
  const runRow = (runId: string, tenant: Tenant) =>
    db.query(`SELECT status, counts FROM platform.retention_runs WHERE run_id = $1 AND tenant_id = $2`, [runId, tenant.id]).then((r) => r.rows[0]);
  const anonymised = async (tenant: Tenant) => (await db.query(`SELECT count(*)::int AS n FROM "${tenant.schema}".auth_sessions WHERE anonymised_at IS NOT NULL`)).rows[0].n;
  /** Every session anonymised from its original values: each address hashed exactly once, only the country kept. */
  const expectAnonymisedOnce = async (tenant: Tenant) => {
    const {
      rows: [check],
    } = await db.query(
      `SELECT count(*) FILTER (WHERE s.ip = 'anon:' || encode(sha256(convert_to('10.' || (i / 65536) || '.' || (i / 256 % 256) || '.' || (i % 256), 'UTF8') || p.salt), 'hex'))::int AS hashed_once,
              count(*) FILTER (WHERE s.location = 'DE')::int AS country_only,
              count(DISTINCT s.user_agent)::int AS agents
         FROM "${tenant.schema}".auth_sessions s CROSS JOIN "${tenant.schema}".privacy_salt p CROSS JOIN LATERAL (SELECT s.device_type::int AS i) n`,
    );
    expect(check).toEqual({ hashed_once: SESSIONS, country_only: SESSIONS, agents: 3 });
  };
  /** Starts a run for the tenant and SIGKILLs the process once a few batches have committed. */
  const killMidRun = async (tenant: Tenant, asOf: Date): Promise<string> => {
    const started = await api(child!).call('POST', '/v1/admin/retention/runs', { as_of: asOf.toISOString(), tenant_ids: [tenant.id] });
    expect(started.status).toBe(202);
    const runId: string = started.body.run_id;
    await waitFor('some batches to commit', async () => Number((await runRow(runId, tenant))?.counts.sessions_anonymised ?? 0) >= 5 * BATCH, 20_000);
    await child!.kill('SIGKILL');
    // Exactly what committed is counted: no batch half-done, none uncounted.
    const killed = await runRow(runId, tenant);
    expect(killed.status).toBe('running');
    expect(await anonymised(tenant)).toBe(killed.counts.sessions_anonymised);
    expect(killed.counts.sessions_anonymised).toBeLessThan(SESSIONS);
    expect(killed.counts.sessions_anonymised % BATCH).toBe(0);
    return runId;
  };

  it('counts exactly what committed before the kill, and the next run anonymises the rest exactly once', async () => {
    child = await startChildPlatform(env());
    const tenant: Tenant = await onboard(api(child), db, 'crash');
    const asOf = new Date(Date.now() - 1000);
    await fillSessions(tenant, asOf);
    const killedRun = await killMidRun(tenant, asOf);

    child = await startChildPlatform(env());
    const { rows } = await runRetention(api(child), { as_of: asOf.toISOString(), tenant_ids: [tenant.id] }, 40_000);
    // The new run, and possibly BullMQ's retry of the killed job (once its lock has lapsed), did the rest between them.
    const after = await runRow(killedRun, tenant);
    expect(rows[0].counts.sessions_anonymised + Number(after.counts.sessions_anonymised)).toBe(SESSIONS);
    expect(await anonymised(tenant)).toBe(SESSIONS);
    await expectAnonymisedOnce(tenant);
    await child.kill();
  }, 60_000);

  it('lets BullMQ retry the killed job itself: once its lock lapses, the same run resumes and completes', async () => {
    child = await startChildPlatform(env());
    const tenant: Tenant = await onboard(api(child), db, 'stalled');
    const asOf = new Date(Date.now() - 1000);
    await fillSessions(tenant, asOf);
    const killedRun = await killMidRun(tenant, asOf);

    // No new run: a fresh process's worker finds the stalled job (10 s lock, checked every 10 s) and runs it again.
    child = await startChildPlatform(env());
    await waitFor('the killed run to be completed by its retry', async () => (await runRow(killedRun, tenant))?.status === 'completed', 90_000);
    const done = await runRow(killedRun, tenant);
    // The killed attempt's batches and the retry's add up, in one run's counts.
    expect(done.counts.sessions_anonymised).toBe(SESSIONS);
    expect(await anonymised(tenant)).toBe(SESSIONS);
    await expectAnonymisedOnce(tenant);
    await child.kill();
  }, 150_000);
});
