import { getQueueToken } from '@nestjs/bullmq';
import { Job, Queue } from 'bullmq';
import { Client } from 'pg';
import { randomBytes, randomUUID } from 'node:crypto';
import { TenantRetention } from '@credence/audit';
import { RequestContext, TenantRef } from '@credence/context';
import { CredenceCloudEvent } from '@credence/contracts';
import { namedSql } from '@credence/database';
import { DomainError } from '@credence/errors';
import { User } from '@credence/identity';
import { makeEvent } from '@credence/outbox';
import { JOBS, QUEUES } from '@credence/queues';
import { RedisStreamsClient } from '@credence/redis-streams-transport';
import { TenantTransactionRunner } from '@credence/tenancy';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuditAppModule } from '../../apps/audit/src/audit-app.module';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { waitFor } from '../support/child-platform';
import { createEventsWorld, EventsWorld, useEventsEnv } from '../support/events/events-world';

const DAY_MS = 86_400_000;
const originalQuery = Client.prototype.query;
/** XINFO's flat [name, value, ...] reply as an object. */
const fields = (reply: unknown[]): Record<string, unknown> => Object.fromEntries(Array.from({ length: reply.length / 2 }, (_, i) => [reply[2 * i], reply[2 * i + 1]]));
/** The tenant tables a retention run may touch, fingerprinted to see that a tenant's data did not change at all. */
const RETAINED_TABLES = [
  'users',
  'auth_sessions',
  'otp_codes',
  'refresh_tokens',
  'revoked_access_tokens',
  'audit_log',
  'audit_checkpoints',
  'audit_chain',
  'retention_watermarks',
];

/**
 * The isolation suite: a unit of work for tenant A sees only A's rows, whichever way it asks,
 * and nothing of its search_path survives on the pooled connection afterwards. A job or an event
 * for tenant A reads and writes A's schema only, whatever the context it meets.
 *
 * A database and Redis prefix of the file's own (the outbox relay is one per database), the audit
 * trail ingesting, the retention schedule off: every job here is one the test queued.
 */
describe('tenant isolation', () => {
  let world: EventsWorld;
  let t: TestApp;
  let runner: TenantTransactionRunner;
  let context: RequestContext;
  let a: TenantRef;
  let b: TenantRef;

  const onboard = async (email: string): Promise<TenantRef> => {
    const slug = uniqueSlug('iso');
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email, password: 'a long enough password' } });
    expect(res.status).toBe(201);
    const [row] = await t.dataSource.query('SELECT schema_name FROM platform.tenants WHERE id = $1', [res.body.id]);
    return { id: res.body.id, slug, schema: row.schema_name };
  };
  const asTenant = <T>(tenant: TenantRef, work: () => Promise<T>) => context.runWith({ tenant }, work);

  beforeAll(async () => {
    world = await createEventsWorld('isolation');
    useEventsEnv({});
    t = await startTestApp([AuthAppModule, AuditAppModule], { DATABASE_URL: world.databaseUrl, REDIS_PREFIX: world.prefix, RETENTION_ENABLED: 'false' });
    runner = t.app.get(TenantTransactionRunner);
    context = t.app.get(RequestContext);
    a = await onboard('alice@a.example');
    b = await onboard('bob@b.example');
  });
  afterAll(async () => {
    await t?.close();
    await world?.cleanup();
  });

  it('a repository sees only the ambient tenant', async () => {
    const emails = await asTenant(a, () => runner.inTenant((uow) => uow.manager.getRepository(User).find()));
    expect(emails.map((u) => u.email)).toEqual(['alice@a.example']);
    const other = await asTenant(b, () => runner.inTenant((uow) => uow.manager.getRepository(User).find()));
    expect(other.map((u) => u.email)).toEqual(['bob@b.example']);
  });

  it('a query builder sees only the ambient tenant', async () => {
    const rows = await asTenant(a, () => runner.inTenant((uow) => uow.manager.createQueryBuilder(User, 'u').where('u.email LIKE :p', { p: '%@%' }).getMany()));
    expect(rows.map((u) => u.email)).toEqual(['alice@a.example']);
  });

  it('a raw query sees only the ambient tenant', async () => {
    const rows = await asTenant(b, () => runner.inTenant((uow) => uow.query<{ email: string }[]>('SELECT email FROM users')));
    expect(rows).toEqual([{ email: 'bob@b.example' }]);
  });

  it('a named (prepared) statement sees only the ambient tenant, on every pooled connection it was prepared on', async () => {
    const emails = namedSql('isolation_probe_emails', 'SELECT email, current_schema() AS schema FROM users ORDER BY email');
    // More units than pooled connections, alternating tenants: each connection runs the statement it
    // prepared for one tenant again for the other.
    const rounds = Array.from({ length: t.config.DB_POOL_MAX * 3 }, (_, i) => (i % 2 ? b : a));
    for (const tenant of rounds) {
      const rows = await asTenant(tenant, () => runner.inTenant((uow) => uow.query<{ email: string; schema: string }[]>(emails)));
      expect(rows.map((r) => r.email)).toEqual(tenant === a ? ['alice@a.example'] : ['bob@b.example']);
      expect(rows[0].schema).toBe(tenant.schema);
    }
    // Prepared under A's role, run in B's unit: B's role still may not read A's schema.
    const otherSchema = namedSql('isolation_probe_other', `SELECT count(*)::int AS n FROM "${a.schema}".users`);
    await asTenant(a, () => runner.inTenant((uow) => uow.query(otherSchema)));
    await expect(asTenant(b, () => runner.inTenant((uow) => uow.query(otherSchema)))).rejects.toThrow(/permission denied/);
  });

  it('a write lands in the ambient tenant only', async () => {
    await asTenant(a, () => runner.inTenant((uow) => uow.query(`INSERT INTO users (id, email, status) VALUES (gen_random_uuid(), 'carol@a.example', 'active')`)));
    const inB = await asTenant(b, () => runner.inTenant((uow) => uow.query<unknown[]>(`SELECT 1 FROM users WHERE email = 'carol@a.example'`)));
    expect(inB).toHaveLength(0);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${a.schema}".users WHERE email = 'carol@a.example'`);
    expect(n).toBe(1);
  });

  describe("the tenant's Postgres role (second line, behind search_path)", () => {
    /** Runs SQL in a unit of work of `tenant` and resolves to its error's SQLSTATE, or 'ok'. */
    const outcomeIn = (tenant: TenantRef, sql: string) =>
      asTenant(tenant, () => runner.inTenant((uow) => uow.query(sql))).then(
        () => 'ok',
        (err: { code?: string }) => err.code,
      );

    it("refuses SQL that names another tenant's schema, while the tenant's own work succeeds", async () => {
      // The login role (a superuser in tests) reads B's users: only the role stands in the way.
      expect(await t.dataSource.query(`SELECT email FROM "${b.schema}".users`)).toEqual([{ email: 'bob@b.example' }]);
      expect(await outcomeIn(a, `SELECT email FROM "${b.schema}".users`)).toBe('42501');
      expect(await outcomeIn(a, `UPDATE "${b.schema}".users SET email = email`)).toBe('42501');
      expect(await outcomeIn(a, `SELECT email FROM "${a.schema}".users`)).toBe('ok');
      expect(await outcomeIn(a, 'UPDATE users SET email = email')).toBe('ok');
    });

    it('refuses the registry and the API keys to a tenant unit of work, platform units keep them', async () => {
      expect(await outcomeIn(a, `UPDATE platform.tenants SET name = name WHERE id = '${a.id}'`)).toBe('42501');
      expect(await outcomeIn(a, 'SELECT slug FROM platform.tenants')).toBe('42501');
      expect(await outcomeIn(a, 'DELETE FROM platform.tenant_domains')).toBe('42501');
      expect(await outcomeIn(a, 'SELECT id FROM platform.api_keys')).toBe('42501');
      const platform = await runner.inPlatform((uow) => uow.query<unknown[]>('SELECT 1 FROM platform.tenants WHERE id = $1', [a.id]));
      expect(platform).toHaveLength(1);
    });

    it('narrows the platform tables it may write to its own tenant rows (row security)', async () => {
      const seen = await asTenant(a, () => runner.inTenant((uow) => uow.query<{ tenant_id: string }[]>('SELECT DISTINCT tenant_id FROM platform.outbox')));
      expect(seen).toEqual([{ tenant_id: a.id }]);
      const all = await t.dataSource.query<{ tenant_id: string }[]>('SELECT DISTINCT tenant_id FROM platform.outbox WHERE tenant_id = ANY($1)', [[a.id, b.id]]);
      expect(all).toHaveLength(2);
      const forged = await outcomeIn(a, `INSERT INTO platform.outbox (event_id, tenant_id, aggregate, type, event) VALUES (gen_random_uuid(), '${b.id}', 'x', 'x', '{}')`);
      expect(forged).toBe('42501'); // new row violates row-level security policy
      const [{ n }] = await asTenant(a, () =>
        runner.inTenant((uow) =>
          uow.query<{ n: number }[]>(`WITH u AS (UPDATE platform.outbox SET event = event WHERE tenant_id = '${b.id}' RETURNING 1) SELECT count(*)::int AS n FROM u`),
        ),
      );
      expect(n).toBe(0);
    });

    it('runs as a role named from the tenant id and this database, and as the login role outside the unit', async () => {
      const [{ db }] = await t.dataSource.query('SELECT left(md5(current_database()), 8) AS db');
      const [me] = await asTenant(a, () => runner.inTenant((uow) => uow.query<{ cu: string; su: string }[]>('SELECT current_user AS cu, session_user AS su')));
      expect(me.cu).toBe(`${a.schema}_${db}`);
      const [{ cu }] = await t.dataSource.query('SELECT current_user AS cu');
      expect(cu).toBe(me.su);
      const [platformUnit] = await runner.inPlatform((uow) => uow.query<{ cu: string }[]>('SELECT current_user AS cu'));
      expect(platformUnit.cu).toBe(me.su);
    });
  });

  it('fails closed when no tenant is in context', async () => {
    await expect(runner.inTenant((uow) => uow.query('SELECT 1'))).rejects.toMatchObject({ code: 'tenant.context_missing' });
    await expect(context.runWith({}, () => runner.inTenant((uow) => uow.query('SELECT 1')))).rejects.toBeInstanceOf(DomainError);
  });

  it('refuses a command for another tenant than the ambient one', async () => {
    await asTenant(a, async () => {
      expect(() => runner.assertAmbientTenant(b.id)).toThrow(DomainError);
      expect(runner.assertAmbientTenant(a.id)).toEqual(a);
    });
  });

  it('leaves no search_path or role behind on pooled connections, after commit or rollback', async () => {
    await asTenant(a, () => runner.inTenant((uow) => uow.query('SELECT 1')));
    await expect(
      asTenant(a, () =>
        runner.inTenant(async (uow) => {
          await uow.query('SELECT 1');
          throw new Error('roll back');
        }),
      ),
    ).rejects.toThrow('roll back');
    // Check out every pooled connection at once so the ones just used are among them.
    const pool = t.config.DB_POOL_MAX;
    const runners = await Promise.all(
      Array.from({ length: pool }, async () => {
        const r = t.dataSource.createQueryRunner();
        await r.connect();
        return r;
      }),
    );
    try {
      for (const r of runners) {
        const [{ search_path }] = await r.query('SHOW search_path');
        expect(search_path).not.toContain('t_');
        const [{ role }] = await r.query('SELECT current_user = session_user AS role');
        expect(role).toBe(true);
        const rows = await r.query(`SELECT count(*)::int AS n FROM pg_catalog.pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relname = 'users' AND n.nspname = ANY (current_schemas(false))`);
        expect(rows[0].n).toBe(0);
      }
    } finally {
      await Promise.all(runners.map((r) => r.release()));
    }
  });

  it('opens a unit in one round trip, and nested TypeORM work joins it and rolls back with it', async () => {
    const sent: string[] = [];
    const query = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      if (typeof args[0] === 'string' && /^(BEGIN|START TRANSACTION|SELECT set_config)/.test(args[0])) sent.push(args[0]);
      return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as never);
    const email = `dave-${randomBytes(4).toString('hex')}@a.example`;
    try {
      await expect(
        asTenant(a, () =>
          runner.inTenant(async (uow) => {
            await uow.manager.getRepository(User).save({ id: randomUUID(), email, status: 'active' });
            await uow.manager.transaction((inner) => inner.query(`UPDATE users SET display_name = 'nested' WHERE email = $1`, [email]));
            throw new Error('roll back');
          }),
        ),
      ).rejects.toThrow('roll back');
    } finally {
      query.mockRestore();
    }
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(new RegExp(`^BEGIN; SELECT set_config\\('search_path', '"${a.schema}",platform', true\\), set_config\\('role', '${a.schema}_[0-9a-f]{8}', true\\)$`));
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${a.schema}".users WHERE email = $1`, [email]);
    expect(n).toBe(0);
  });

  it('puts every tenant table in the tenant schema, none in public or platform', async () => {
    // Spare schemas of the pool (platform.tenant_spares, when it is on) hold the same tables, empty, waiting for a tenant.
    const rows: { schema: string; table: string; spare: boolean }[] = await t.dataSource.query(
      `SELECT table_schema AS schema, table_name AS table, table_schema IN (SELECT schema_name FROM platform.tenant_spares) AS spare
         FROM information_schema.tables
        WHERE table_name IN ('users', 'roles', 'user_roles', 'user_invites', 'signing_keys', 'tenant_migrations')`,
    );
    expect(rows.filter((r) => !r.schema.startsWith('t_') && !r.spare)).toEqual([]);
    const inA = rows
      .filter((r) => r.schema === a.schema)
      .map((r) => r.table)
      .sort();
    expect(inA).toEqual(['roles', 'signing_keys', 'tenant_migrations', 'user_invites', 'user_roles', 'users']);
  });

  it('keeps tenant table names disjoint from platform table names, so search_path cannot fall through', async () => {
    const rows: { n: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM information_schema.tables p JOIN information_schema.tables x ON x.table_name = p.table_name
        WHERE p.table_schema = 'platform' AND x.table_schema = $1`,
      [a.schema],
    );
    expect(rows[0].n).toBe(0);
  });

  it('serves a tenant route only from that tenant', async () => {
    const ka = await t.call('GET', `/v1/t/${a.slug}/.well-known/jwks.json`, undefined, { auth: false });
    const kb = await t.call('GET', `/v1/t/${b.slug}/.well-known/jwks.json`, undefined, { auth: false });
    expect(ka.status).toBe(200);
    expect(kb.status).toBe(200);
    const kidsA = ka.body.keys.map((k: { kid: string }) => k.kid);
    const kidsB = kb.body.keys.map((k: { kid: string }) => k.kid);
    expect(kidsA).toHaveLength(1);
    expect(kidsB).toHaveLength(1);
    expect(kidsA[0]).not.toEqual(kidsB[0]);
  });

  /** Per table: row count and a digest of every row, so any insert, update or delete shows. */
  const fingerprint = async (tenant: TenantRef): Promise<Record<string, string>> => {
    const entries = await Promise.all(
      RETAINED_TABLES.map(async (table) => {
        const [r] = await t.dataSource.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${tenant.schema}".${table} x`);
        return [table, `${r.n}:${r.h}`] as const;
      }),
    );
    return Object.fromEntries(entries);
  };
  const trailHas = async (tenant: TenantRef, eventId: string) =>
    (await t.dataSource.query(`SELECT 1 FROM "${tenant.schema}".audit_log WHERE event_id = $1`, [eventId])).length > 0;
  const platformTrailHas = async (eventId: string) => (await t.dataSource.query('SELECT 1 FROM platform.platform_audit_log WHERE event_id = $1', [eventId])).length > 0;
  /**
   * Waits until the audit trail has taken in every event there is: all of the outbox published, and
   * on every partition the audit group has read to the end and acked it all (ingest acks once
   * stored). This file's database and prefix have no other producer, so after this only a test writes.
   */
  const ingestIdle = () =>
    waitFor('audit ingest to be idle', async () => {
      const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM platform.outbox WHERE published_at IS NULL');
      if (n) return false;
      for (let p = 0; p < t.config.EVENTS_PARTITIONS; p++) {
        const stream = `${t.config.REDIS_PREFIX}:events:p${p}`;
        if (!(await world.redis.exists(stream))) continue;
        const last = fields((await world.redis.xinfo('STREAM', stream)) as unknown[])['last-generated-id'];
        const groups = ((await world.redis.xinfo('GROUPS', stream)) as unknown[][]).map(fields);
        const audit = groups.find((g) => g.name === t.config.AUDIT_CONSUMER_GROUP);
        if (!audit || audit.pending !== 0 || audit['last-delivered-id'] !== last) return false;
      }
      return true;
    });
  describe('jobs', () => {
    const dora = randomUUID();
    const sessions = { gone: randomUUID(), anonymised: randomUUID(), kept: randomUUID() };
    const otp = { expired: randomUUID(), valid: randomUUID() };
    // A year and more ahead, so that everything in today's trails counts as past the audit retention (365 days at least).
    const asOf = new Date(Date.now() + 400 * DAY_MS);
    const before = (days: number) => new Date(asOf.getTime() - days * DAY_MS);
    const runId = () => `${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
    let retention: Queue;
    let lifecycle: Queue;

    /** Identical rows in both tenants, all due for retention as of `asOf` but `kept` and `valid`. */
    const seed = async (tenant: TenantRef) => {
      const s = `"${tenant.schema}"`;
      await t.dataSource.query(`INSERT INTO ${s}.users (id, email, status) VALUES ($1, 'dora@shared.example', 'active')`, [dora]);
      await t.dataSource.query(
        `INSERT INTO ${s}.auth_sessions (id, user_id, auth_method, ip, user_agent, device_type, location, status, created_at, last_seen_at, idle_expires_at, absolute_expires_at)
         SELECT u.id, $1, 'local', '203.0.113.9', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0', 'desktop', 'Berlin, DE', 'expired', u.seen, u.seen, u.seen, u.seen
           FROM unnest($2::uuid[], $3::timestamptz[]) AS u(id, seen)`,
        [dora, [sessions.gone, sessions.anonymised, sessions.kept], [before(400), before(200), before(1)]],
      );
      await t.dataSource.query(`INSERT INTO ${s}.otp_codes (id, user_id, channel, code_hash, expires_at) VALUES ($1, $3, 'email', '\\x00', $4), ($2, $3, 'email', '\\x01', $5)`, [
        otp.expired,
        otp.valid,
        dora,
        before(1),
        new Date(asOf.getTime() + DAY_MS),
      ]);
    };

    /** Queues a real job and resolves once a worker of this app has finished it, whichever way. */
    const run = async (queue: Queue, name: string, data: object): Promise<Job> => {
      const job = await queue.add(name, data, { attempts: 1 });
      await waitFor(`job ${name} ${job.id}`, async () => ['completed', 'failed'].includes(await job.getState()));
      return (await Job.fromId(queue, job.id!))!;
    };

    beforeAll(async () => {
      retention = t.app.get<Queue>(getQueueToken(QUEUES.retention));
      lifecycle = t.app.get<Queue>(getQueueToken(QUEUES.tenantLifecycle));
      await seed(a);
      await seed(b);
    });

    it("a retention job for tenant A changes A's rows only, and its event reaches A's trail only", async () => {
      await ingestIdle();
      const bBefore = await fingerprint(b);
      const aBefore = await fingerprint(a);
      const aTrail = (await t.dataSource.query(`SELECT event_id FROM "${a.schema}".audit_log`)).map((r: { event_id: string }) => r.event_id);
      expect(aTrail.length).toBeGreaterThan(0);

      const id = runId();
      const job = await run(retention, JOBS.retentionTenant, { runId: id, tenantId: a.id, asOf: asOf.toISOString() });
      expect(job.failedReason).toBeUndefined();
      expect(job.returnvalue).toBe('completed');

      // A: each rule did its work there.
      const session = async (sid: string) => (await t.dataSource.query(`SELECT ip, anonymised_at FROM "${a.schema}".auth_sessions WHERE id = $1`, [sid]))[0];
      expect(await session(sessions.gone)).toBeUndefined();
      expect((await session(sessions.anonymised)).ip).toMatch(/^anon:/);
      expect(await session(sessions.kept)).toEqual({ ip: '203.0.113.9', anonymised_at: null });
      expect((await t.dataSource.query(`SELECT id FROM "${a.schema}".otp_codes`)).map((r: { id: string }) => r.id)).toEqual([otp.valid]);
      expect(await t.dataSource.query(`SELECT 1 FROM "${a.schema}".audit_log WHERE event_id = ANY($1::uuid[])`, [aTrail])).toEqual([]);
      expect((await t.dataSource.query(`SELECT 1 FROM "${a.schema}".audit_checkpoints`)).length).toBeGreaterThan(0);
      expect(await fingerprint(a)).not.toEqual(aBefore);

      // B, with the same rows due, is untouched: not a row inserted, changed or deleted.
      expect(await fingerprint(b)).toEqual(bBefore);
      const runs = await t.dataSource.query('SELECT tenant_id, status FROM platform.retention_runs WHERE run_id = $1', [id]);
      expect(runs).toEqual([{ tenant_id: a.id, status: 'completed' }]);

      // The run's event is A's, and lands in A's trail and no other.
      const [completed] = await t.dataSource.query(`SELECT event_id, tenant_id FROM platform.outbox WHERE type = 'retention.run.completed' AND event->'data'->>'run_id' = $1`, [
        id,
      ]);
      expect(completed.tenant_id).toBe(a.id);
      await waitFor("retention.run.completed in A's trail", () => trailHas(a, completed.event_id));
      expect(await trailHas(b, completed.event_id)).toBe(false);
      expect(await platformTrailHas(completed.event_id)).toBe(false);
      expect(await fingerprint(b)).toEqual(bBefore);
    });

    it('a retention run for A started where the context holds B works on A all the same, never on B', async () => {
      await ingestIdle();
      const bBefore = await fingerprint(b);
      const id = runId();
      // B still has rows due: had the run used the ambient tenant, they would be gone now.
      const outcome = await context.runWith({ tenant: b }, () => t.app.get(TenantRetention).run(id, a.id, asOf));
      expect(outcome).toBe('completed');
      expect(await fingerprint(b)).toEqual(bBefore);
      expect(await t.dataSource.query('SELECT tenant_id FROM platform.retention_runs WHERE run_id = $1', [id])).toEqual([{ tenant_id: a.id }]);
    });

    it('a retention job that names a tenant by anything but its id (slug, schema, unknown id) does nothing to any tenant', async () => {
      await ingestIdle();
      const [aBefore, bBefore] = [await fingerprint(a), await fingerprint(b)];
      for (const tenantId of [b.slug, b.schema, randomUUID()]) {
        const id = runId();
        const job = await run(retention, JOBS.retentionTenant, { runId: id, tenantId, asOf: asOf.toISOString() });
        // An unknown id is skipped; a name that is not a uuid is skipped or fails its lookup.
        expect(['skipped', 'failed']).toContain(job.failedReason ? 'failed' : job.returnvalue);
        expect(await t.dataSource.query(`SELECT 1 FROM platform.retention_runs WHERE run_id = $1 AND status = 'completed'`, [id])).toEqual([]);
      }
      expect(await fingerprint(b)).toEqual(bBefore);
      expect(await fingerprint(a)).toEqual(aBefore);
    });

    it("a purge job drops its own tenant's schema only, and one naming a live tenant drops nothing", async () => {
      const c = await onboard('carl@c.example');
      const [aBefore, bBefore] = [await fingerprint(a), await fingerprint(b)];
      const schemas = async () =>
        (await t.dataSource.query('SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)', [[a.schema, b.schema, c.schema]]))
          .map((r: { nspname: string }) => r.nspname)
          .sort();

      // B is active: a purge job for it (a stray, a forged one) is refused by the tenant's status.
      const refused = await run(lifecycle, JOBS.purgeTenant, { tenantId: b.id });
      expect(refused.returnvalue).toEqual({ done: 'skipped' });
      expect(await schemas()).toEqual([a.schema, b.schema, c.schema].sort());

      await t.dataSource.query(`UPDATE platform.tenants SET status = 'offboarding', purge_after = now() - interval '1 second' WHERE id = $1`, [c.id]);
      const purged = await run(lifecycle, JOBS.purgeTenant, { tenantId: c.id });
      expect(purged.returnvalue).toEqual({ done: 'purged' });
      expect(await schemas()).toEqual([a.schema, b.schema].sort());
      expect(await fingerprint(a)).toEqual(aBefore);
      expect(await fingerprint(b)).toEqual(bBefore);
    });
  });

  describe('events', () => {
    let publisher: RedisStreamsClient;
    /** Publishes an event the way the relay does (for events the application itself would never emit). */
    const publish = (aggregate: string, envelope: CredenceCloudEvent) => publisher.publishBatch([{ pattern: envelope.type, key: aggregate, data: JSON.stringify(envelope) }]);
    const outboxed = (marker: string) =>
      t.dataSource.query(`SELECT event_id, tenant_id FROM platform.outbox WHERE event->'data'->'changed' @> jsonb_build_array($1::text)`, [marker]);

    beforeAll(() => {
      publisher = new RedisStreamsClient({ url: t.config.REDIS_URL, prefix: t.config.REDIS_PREFIX, partitions: t.config.EVENTS_PARTITIONS });
    });
    afterAll(() => publisher.close());

    it("an event emitted in A's unit of work travels outbox, relay and stream into A's trail only", async () => {
      const [admin] = await t.dataSource.query(`SELECT id FROM "${a.schema}".users WHERE email = 'alice@a.example'`);
      const marker = `iso-${randomUUID()}`;
      await asTenant(a, () => runner.inTenant(async (uow) => uow.emit('user.updated', `user/${admin.id}`, { user_id: admin.id, changed: [marker] })));
      const [row] = await outboxed(marker);
      expect(row.tenant_id).toBe(a.id);
      await waitFor("the event in A's trail", () => trailHas(a, row.event_id));
      // Ingest acks an event once every trail it belongs to has it: nothing more comes after this.
      expect(await trailHas(b, row.event_id)).toBe(false);
      expect(await platformTrailHas(row.event_id)).toBe(false);
    });

    it('stores an event exactly, quotes, backslashes and all, with the commit, and rolls the unit back when the outbox refuses it', async () => {
      const [admin] = await t.dataSource.query(`SELECT id FROM "${a.schema}".users WHERE email = 'alice@a.example'`);
      const marker = `iso-${randomUUID()}`;
      const awkward = [marker, "it's", "back\\slash \\'", '"quoted"', 'ünïcödé ✓', "'); DROP TABLE platform.outbox; --", '\\u0041'];
      await asTenant(a, () => runner.inTenant(async (uow) => uow.emit('user.updated', `user/${admin.id}`, { user_id: admin.id, changed: awkward })));
      const [row] = await t.dataSource.query(`SELECT event->'data'->'changed' AS changed FROM platform.outbox WHERE event->'data'->'changed' @> jsonb_build_array($1::text)`, [
        marker,
      ]);
      expect(row.changed).toEqual(awkward);

      const email = `${randomUUID()}@a.example`;
      await expect(
        asTenant(a, () =>
          runner.inTenant(async (uow) => {
            await uow.query(`INSERT INTO users (id, email, status) VALUES (gen_random_uuid(), $1, 'active')`, [email]);
            uow.emit('user.updated', `user/${admin.id}`, { user_id: admin.id, changed: ['a'] });
            uow.emit('user.updated', `user/${admin.id}`, { user_id: admin.id, changed: ['b'] });
            uow.events[1].envelope.id = uow.events[0].envelope.id; // the outbox's unique event_id refuses the second
          }),
        ),
      ).rejects.toMatchObject({ code: '23505' });
      expect(await t.dataSource.query(`SELECT 1 FROM "${a.schema}".users WHERE email = $1`, [email])).toHaveLength(0);
    });

    it("refuses an event that B's unit of work names for tenant A, and rolls the unit back", async () => {
      const marker = `iso-${randomUUID()}`;
      const email = `${marker}@b.example`;
      await expect(
        asTenant(b, () =>
          runner.inTenant(async (uow) => {
            await uow.query(`INSERT INTO users (id, email, status) VALUES (gen_random_uuid(), $1, 'active')`, [email]);
            uow.emit('user.updated', `user/${randomUUID()}`, { user_id: randomUUID(), changed: [marker] }, a.id);
          }),
        ),
      ).rejects.toMatchObject({ code: 'tenant.context_missing' });
      expect(await outboxed(marker)).toEqual([]);
      expect(await t.dataSource.query(`SELECT 1 FROM "${b.schema}".users WHERE email = $1`, [email])).toEqual([]);
    });

    it('dead-letters an event whose data names another tenant than its envelope, instead of writing either trail', async () => {
      await ingestIdle();
      const [aBefore, bBefore] = [await fingerprint(a), await fingerprint(b)];
      const forged = makeEvent('tenant.updated', a.id, `tenant/${a.slug}`, { tenant_id: b.id, slug: b.slug, changed: ['name'] }, { source: 'credence/test', actor: 'system' });
      await publish(forged.aggregate, forged.envelope);
      const letter = await waitFor('the event in the audit dead letters', async () => {
        const res = await t.call('GET', '/v1/admin/audit/dead-letters?limit=100');
        return res.body.data?.find((l: { event_id: string }) => l.event_id === forged.envelope.id);
      });
      expect(letter.error).toMatch(/names tenant/);
      expect(await trailHas(a, forged.envelope.id)).toBe(false);
      expect(await trailHas(b, forged.envelope.id)).toBe(false);
      expect(await platformTrailHas(forged.envelope.id)).toBe(false);
      expect(await fingerprint(a)).toEqual(aBefore);
      expect(await fingerprint(b)).toEqual(bBefore);
    });

    it("never resolves an event's tenant from its slug or schema name: such an event lands in no trail", async () => {
      const [admin] = await t.dataSource.query(`SELECT id FROM "${b.schema}".users WHERE email = 'bob@b.example'`);
      const aggregate = `user/${admin.id}`;
      const stray = [b.slug, b.schema].map((tenantid) => {
        const e = makeEvent('user.updated', b.id, aggregate, { user_id: admin.id, changed: ['phone'] }, { source: 'credence/test', actor: 'system' });
        return { ...e.envelope, tenantid };
      });
      for (const e of stray) await publish(aggregate, e);
      // Same aggregate, so the same partition, handled in order: once this one is in, the strays have been handled.
      const after = makeEvent('user.updated', b.id, aggregate, { user_id: admin.id, changed: ['email'] }, { source: 'credence/test', actor: 'system' });
      await publish(aggregate, after.envelope);
      await waitFor("the event after the strays in B's trail", () => trailHas(b, after.envelope.id));
      for (const e of stray) {
        expect(await trailHas(b, e.id)).toBe(false);
        expect(await trailHas(a, e.id)).toBe(false);
        expect(await platformTrailHas(e.id)).toBe(false);
      }
    });
  });
});
