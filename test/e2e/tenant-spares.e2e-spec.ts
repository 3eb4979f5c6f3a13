import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_CONFIG } from '@credence/config';
import { QUEUES } from '@credence/queues';
import { RequestContext } from '@credence/context';
import { dropDatabase, ensureDatabase } from '@credence/database';
import { TenantLifecycleStore, TenantMigrator, TenantRoles, TenantSpares, TenantStore, TenantTransactionRunner } from '@credence/tenancy';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { tenantMigrations } from '@migrations/tenant';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

const PASSWORD = 'a long enough password';
const V = tenantMigrations.migrations.length;

class SpareMarker9000000000101 implements MigrationInterface {
  name = 'SpareMarker9000000000101';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE spare_marker (id int PRIMARY KEY)');
  }
  async down(): Promise<void> {}
}

/** Fails in one schema only: the one that holds a table named `poisoned`. */
class FailsWhenPoisoned9000000000102 implements MigrationInterface {
  name = 'FailsWhenPoisoned9000000000102';
  async up(q: QueryRunner): Promise<void> {
    const [{ poisoned }] = await q.query(`SELECT to_regclass('poisoned') IS NOT NULL AS poisoned`);
    if (poisoned) throw new Error('poisoned spare');
  }
  async down(): Promise<void> {}
}

/**
 * The pool of spare tenant schemas, in a database of its own (no other test file's migrations or
 * tenants reach it): onboarding renames a spare with its role, concurrent onboardings never share
 * one, an empty pool falls back to creating the schema, `migrate` covers spares, strays are removed.
 */
describe('spare tenant schemas', () => {
  let t: TestApp;
  let dbUrl: string;
  let spares: TenantSpares;
  let queue: Queue;
  const POOL = 10;

  const spareRows = async (): Promise<{ schema_name: string; db_version: number }[]> =>
    t.dataSource.query('SELECT schema_name, db_version FROM platform.tenant_spares ORDER BY schema_name');
  const spareSchemas = async (): Promise<string[]> =>
    (await t.dataSource.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'spare\\_%' ORDER BY nspname`)).map((r: { nspname: string }) => r.nspname);
  const roleOf = (schema: string) =>
    t.dataSource.query(
      `SELECT rolname, has_schema_privilege(oid, $1, 'USAGE') AS own, pg_has_role(oid, 'credence_tenants_' || left(md5(current_database()), 8), 'MEMBER') AS in_group
         FROM pg_roles WHERE rolname = $1 || '_' || left(md5(current_database()), 8)`,
      [schema],
    );
  const onboard = (slug: string) => t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: `admin@${slug}.example`, password: PASSWORD } });
  const fill = async () => {
    await spares.refill();
    expect(await spareRows()).toHaveLength(POOL);
  };
  const migratorWith = (migrations: MigrationInterface['constructor'][]) =>
    new TenantMigrator(
      t.dataSource,
      t.app.get(TenantTransactionRunner),
      t.app.get(RequestContext),
      { ...tenantMigrations, migrations: [...tenantMigrations.migrations, ...(migrations as (new () => MigrationInterface)[])] },
      t.app.get(APP_CONFIG),
      t.app.get(TenantStore),
      t.app.get(TenantLifecycleStore),
      t.app.get(TenantRoles),
    );

  beforeAll(async () => {
    const url = new URL(process.env.CREDENCE_TEST_DATABASE_URL!);
    url.pathname = `${url.pathname}_spares`;
    dbUrl = url.toString();
    await ensureDatabase(dbUrl);
    // A refill schedule far away: the test refills when it wants to, not in the middle of a count.
    t = await startTestApp([AuthAppModule], {
      DATABASE_URL: dbUrl,
      REDIS_PREFIX: `${process.env.CREDENCE_TEST_REDIS_PREFIX}:spares`,
      TENANT_SPARE_POOL_SIZE: String(POOL),
      TENANT_SPARE_REFILL_SECONDS: '86400',
    });
    spares = t.app.get(TenantSpares);
    // No refill behind the tests' backs (one is queued after each onboarding that takes a spare) until the last test.
    queue = t.app.get<Queue>(getQueueToken(QUEUES.tenantLifecycle), { strict: false });
    await queue.pause();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    if (dbUrl) await dropDatabase(dbUrl);
  });

  it('keeps the pool at its size: migrated schemas, each with a role outside the tenant group', async () => {
    await fill();
    expect(await spares.refill()).toMatchObject({ made: 0, size: POOL });
    const rows = await spareRows();
    expect(rows.every((r) => r.db_version === V)).toBe(true);
    expect(await spareSchemas()).toEqual(rows.map((r) => r.schema_name));
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${rows[0].schema_name}".tenant_migrations`);
    expect(n).toBe(V);
    const [role] = await roleOf(rows[0].schema_name);
    expect(role).toMatchObject({ own: true, in_group: false });
  });

  it('onboards into a spare: renamed with its role, seeded, working, the documented response and event', async () => {
    await fill();
    const before = (await spareRows()).map((r) => r.schema_name);
    const slug = uniqueSlug('spare');
    const res = await onboard(slug);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ slug, status: 'active', db_version: V, admin: { email: `admin@${slug}.example`, status: 'active' } });
    const schema = `t_${res.body.id.replace(/-/g, '')}`;

    const after = await spareSchemas();
    expect(after).toHaveLength(POOL - 1);
    const taken = before.filter((s) => !after.includes(s));
    expect(taken).toHaveLength(1);
    // The spare's role went with it: renamed to the tenant's, now in the group; the spare's name is gone.
    expect(await roleOf(taken[0])).toEqual([]);
    expect(await roleOf(schema)).toEqual([expect.objectContaining({ own: true, in_group: true })]);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${schema}".tenant_migrations`);
    expect(n).toBe(V);

    const login = await t.call('POST', `/v1/t/${slug}/auth/login`, { email: `admin@${slug}.example`, password: PASSWORD }, { auth: false });
    expect(login.status).toBe(200);
    const me = await t.call('GET', `/v1/t/${slug}/users`, undefined, { auth: login.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body.data.map((u: { email: string }) => u.email)).toEqual([`admin@${slug}.example`]);
    // As the tenant's role: its own schema, and neither a spare still in the pool nor the pool's list.
    const tenant = { id: res.body.id as string, slug, schema };
    const asTenant = (sql: string) => t.app.get(RequestContext).runWith({ tenant }, () => t.app.get(TenantTransactionRunner).inTenant((uow) => uow.query(sql)));
    expect(await asTenant('SELECT count(*)::int AS n FROM users')).toEqual([{ n: 1 }]);
    await expect(asTenant(`SELECT count(*) FROM "${after[0]}".users`)).rejects.toThrow(/permission denied/);
    await expect(asTenant('SELECT count(*) FROM platform.tenant_spares')).rejects.toThrow(/permission denied/);
    const events = await t.dataSource.query(`SELECT type FROM platform.outbox WHERE tenant_id = $1 ORDER BY position`, [res.body.id]);
    expect(events.map((e: { type: string }) => e.type)).toContain('tenant.onboarded');
  });

  it('gives each of 8 concurrent onboardings its own spare', async () => {
    await fill();
    const before = (await spareRows()).map((r) => r.schema_name);
    const slugs = Array.from({ length: 8 }, () => uniqueSlug('burst'));
    const results = await Promise.all(slugs.map(onboard));
    expect(results.map((r) => r.status)).toEqual(slugs.map(() => 201));
    const left = await spareSchemas();
    expect(left).toEqual(before.filter((s) => left.includes(s)));
    expect(left).toHaveLength(POOL - 8);
    const schemas = results.map((r) => `t_${r.body.id.replace(/-/g, '')}`);
    const present = await t.dataSource.query('SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)', [schemas]);
    expect(present).toHaveLength(8);
    // Each tenant its own seeded schema: exactly its own admin.
    for (const [i, schema] of schemas.entries()) {
      const users = await t.dataSource.query(`SELECT email FROM "${schema}".users`);
      expect(users).toEqual([{ email: `admin@${slugs[i]}.example` }]);
    }
  });

  it('falls back to creating the schema when the pool is empty', async () => {
    const rows = await spareRows();
    const slugs = Array.from({ length: rows.length + 1 }, () => uniqueSlug('drain'));
    for (const slug of slugs) expect((await onboard(slug)).status).toBe(201);
    expect(await spareRows()).toEqual([]);
    const [last] = await t.dataSource.query('SELECT id, db_version, status FROM platform.tenants WHERE slug = $1', [slugs[slugs.length - 1]]);
    expect(last).toMatchObject({ db_version: V, status: 'active' });
    expect(await roleOf(`t_${last.id.replace(/-/g, '')}`)).toEqual([expect.objectContaining({ own: true, in_group: true })]);
  });

  it('`migrate` migrates every spare with the tenants, and drops a spare it cannot migrate', async () => {
    await fill();
    const [poisoned, ...healthy] = (await spareRows()).map((r) => r.schema_name);
    await t.dataSource.query(`CREATE TABLE "${poisoned}".poisoned (id int)`);
    const { tenants, spares: report } = await migratorWith([SpareMarker9000000000101, FailsWhenPoisoned9000000000102]).migrateEverything(2);
    expect(tenants.filter((r) => r.error)).toEqual([]);
    expect(report).toMatchObject({ migrated: POOL - 1, dropped: [{ schema: poisoned, error: expect.stringContaining('poisoned spare') }] });
    expect(await spareSchemas()).toEqual([...healthy].sort());
    expect(await roleOf(poisoned)).toEqual([]);
    for (const schema of healthy) expect(await t.dataSource.query(`SELECT to_regclass('"${schema}".spare_marker') IS NOT NULL AS ok`)).toEqual([{ ok: true }]);
    expect(await spareRows()).toEqual(healthy.sort().map((schema_name) => ({ schema_name, db_version: V + 2 })));
    // This build does not know those migrations: it takes none of those spares and falls back.
    const slug = uniqueSlug('newer');
    expect((await onboard(slug)).status).toBe(201);
    expect(await spareRows()).toHaveLength(POOL - 1);
    // Back to this build's schema for the tests after this one: the clean-up removes rows and roles left without their schema.
    for (const schema of healthy) await t.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
    expect(await spares.cleanUp()).toBe(2 * healthy.length);
    expect(await spareRows()).toEqual([]);
  });

  it('removes what a spare dropped halfway leaves: a schema without its row, a row without its schema, a role without its schema', async () => {
    await fill();
    const [a, b, c] = (await spareRows()).map((r) => r.schema_name);
    await t.dataSource.query('DELETE FROM platform.tenant_spares WHERE schema_name = $1', [a]);
    await t.dataSource.query(`DROP SCHEMA "${b}" CASCADE`);
    const [role] = await roleOf(c);
    await t.dataSource.query(`DROP SCHEMA "${c}" CASCADE`);
    await t.dataSource.query('DELETE FROM platform.tenant_spares WHERE schema_name = $1', [c]);
    expect(role.rolname).toMatch(/^spare_[0-9a-f]{32}_[0-9a-f]{8}$/);

    // a's schema; b's row and b's role; c's role.
    expect(await spares.cleanUp()).toBe(4);
    expect(await spareSchemas()).not.toContain(a);
    expect((await spareRows()).map((r) => r.schema_name)).not.toContain(b);
    for (const s of [a, b, c]) expect(await roleOf(s)).toEqual([]);
    expect(await spareRows()).toHaveLength(POOL - 3);
    expect(await spareSchemas()).toEqual((await spareRows()).map((r) => r.schema_name));
  });

  it('refills the pool in the background after an onboarding took a spare', async () => {
    await fill();
    await queue.resume();
    expect((await onboard(uniqueSlug('kick'))).status).toBe(201);
    expect(await spareRows()).toHaveLength(POOL - 1);
    const deadline = Date.now() + 20_000;
    while ((await spareRows()).length < POOL && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await spareRows()).toHaveLength(POOL);
  });
});
