import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_CONFIG } from '@credence/config';
import { RequestContext } from '@credence/context';
import { MigrationSet } from '@credence/database';
import { TenantLifecycleStore, TenantMigrator, TenantRoles, TenantStore, TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { startTestApp, TestApp, testEnv, uniqueSlug } from '@credence/testing';
import { tenantMigrations } from '@migrations/tenant';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { ensureBuilt } from '../support/child-platform';

class AddMarker9000000000001 implements MigrationInterface {
  name = 'AddMarker9000000000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE migration_marker (id int PRIMARY KEY)');
  }
  async down(): Promise<void> {}
}

class AddSecondMarker9000000000002 implements MigrationInterface {
  name = 'AddSecondMarker9000000000002';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE second_marker (id int PRIMARY KEY)');
  }
  async down(): Promise<void> {}
}

describe('tenant migrations', () => {
  let t: TestApp;
  const slugs: string[] = [];
  const schemaOf = async (slug: string) => (await t.dataSource.query('SELECT schema_name FROM platform.tenants WHERE slug = $1', [slug]))[0].schema_name as string;
  const migratorWith = (set: MigrationSet) =>
    new TenantMigrator(
      t.dataSource,
      t.app.get(TenantTransactionRunner),
      t.app.get(RequestContext),
      set,
      t.app.get(APP_CONFIG),
      t.app.get(TenantStore),
      t.app.get(TenantLifecycleStore),
      t.app.get(TenantRoles),
    );
  /** The real set's length: the version every tenant has before these tests add migrations. */
  const V = tenantMigrations.migrations.length;
  const ours = <R extends { slug: string }>(reports: R[]) => reports.filter((r) => slugs.includes(r.slug));
  /** A unit of work of the tenant with this slug, through the application's runner (so as its role). */
  const inTenantOf = async <T>(slug: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T> => {
    const [row] = await t.dataSource.query('SELECT id, schema_name FROM platform.tenants WHERE slug = $1', [slug]);
    const tenant = { id: row.id as string, slug, schema: row.schema_name as string };
    return t.app.get(RequestContext).runWith({ tenant }, () => t.app.get(TenantTransactionRunner).inTenant(work));
  };

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    for (let i = 0; i < 3; i++) {
      const slug = uniqueSlug('mig');
      slugs.push(slug);
      expect((await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: `a@${slug}.example` } })).status).toBe(201);
    }
    await t.call('POST', `/v1/admin/tenants/${slugs[2]}/suspend`);
  });
  afterAll(() => t.close());

  it('`npm run migrate` and its status command work from the command line', async () => {
    ensureBuilt();
    const cli = join(__dirname, '..', '..', 'dist', 'apps', 'platform', 'src', 'cli', 'migrate.js');
    const env = { ...process.env, ...testEnv() };
    const run = await promisify(execFile)(process.execPath, [cli], { env });
    expect(run.stdout).toMatch(/tenants: \d+ checked, 0 migrated, 0 failed/);
    const status = await promisify(execFile)(process.execPath, [cli, 'status'], { env });
    expect(status.stdout).toContain(`target tenant db_version: ${V}`);
    for (const slug of slugs) expect(status.stdout).toContain(slug);
  }, 60_000);

  it('applies a new migration to every live tenant, each in its own schema, and records db_version', async () => {
    const set = { ...tenantMigrations, migrations: [...tenantMigrations.migrations, AddMarker9000000000001] };
    const reports = ours(await migratorWith(set).migrateAll(2));
    expect(reports).toHaveLength(3);
    for (const r of reports) expect(r).toMatchObject({ from: V, to: V + 1, applied: ['AddMarker9000000000001'] });
    for (const slug of slugs) {
      const schema = await schemaOf(slug);
      const rows = await t.dataSource.query(`SELECT table_schema FROM information_schema.tables WHERE table_name = 'migration_marker' AND table_schema = $1`, [schema]);
      expect(rows).toHaveLength(1);
    }
    const misplaced = await t.dataSource.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'migration_marker' AND table_schema IN ('public', 'platform')`);
    expect(misplaced).toHaveLength(0);
    const versions = await t.dataSource.query('SELECT db_version FROM platform.tenants WHERE slug = ANY($1)', [slugs]);
    expect(versions.map((v: { db_version: number }) => v.db_version)).toEqual([V + 1, V + 1, V + 1]);

    const again = ours(await migratorWith(set).migrateAll(2));
    for (const r of again) expect(r).toMatchObject({ from: V + 1, to: V + 1, applied: [] });

    // The new table is reachable by the tenant's role, through which every unit of work runs.
    const written = await inTenantOf(slugs[0], (uow) => uow.query<{ id: number }[]>('INSERT INTO migration_marker (id) VALUES (1) RETURNING id'));
    expect(written).toEqual([{ id: 1 }]);
  });

  it('gives a tenant that has no role yet (provisioned by an older build) its role and grants, and is safe to re-run', async () => {
    const set = { ...tenantMigrations, migrations: [...tenantMigrations.migrations, AddMarker9000000000001] };
    const schema = await schemaOf(slugs[0]);
    const [{ role }] = await t.dataSource.query(`SELECT $1 || '_' || left(md5(current_database()), 8) AS role`, [schema]);
    await t.dataSource.query(`DROP OWNED BY "${role}"; DROP ROLE "${role}"`);
    await expect(inTenantOf(slugs[0], (uow) => uow.query('SELECT 1 FROM users'))).rejects.toThrow(`tenant role ${role} is missing; run npm run migrate`);
    // A unit's first statement is written with its opening, before the opening's answer: it must not run
    // when the opening failed (outside the transaction it would run as the login role that owns the schema).
    const update = `UPDATE "${schema}".users SET display_name = 'pipelined' RETURNING id`;
    await expect(inTenantOf(slugs[0], (uow) => uow.query(update))).rejects.toThrow(`tenant role ${role} is missing`);
    expect(await t.dataSource.query(`SELECT 1 FROM "${schema}".users WHERE display_name = 'pipelined'`)).toHaveLength(0);

    for (let run = 0; run < 2; run++) {
      const reports = ours(await migratorWith(set).migrateAll(2));
      for (const r of reports) expect(r).toMatchObject({ to: V + 1, applied: [] });
      expect(reports.filter((r) => r.error)).toEqual([]);
    }
    const rows = await inTenantOf(slugs[0], (uow) => uow.query<{ email: string }[]>('SELECT email FROM users'));
    expect(rows).toEqual([{ email: `a@${slugs[0]}.example` }]);
    const other = await schemaOf(slugs[1]);
    await expect(inTenantOf(slugs[0], (uow) => uow.query(`SELECT 1 FROM "${other}".users`))).rejects.toMatchObject({ code: '42501' });
  });

  it('isolates a failing tenant: it is reported and rolled back, the others are migrated', async () => {
    const broken = await schemaOf(slugs[1]);
    await t.dataSource.query(`CREATE TABLE "${broken}".second_marker (x text)`); // the migration will collide with this
    const set = { ...tenantMigrations, migrations: [...tenantMigrations.migrations, AddMarker9000000000001, AddSecondMarker9000000000002] };
    const reports = ours(await migratorWith(set).migrateAll(2));
    const bySlug = Object.fromEntries(reports.map((r) => [r.slug, r]));
    expect(bySlug[slugs[1]].error).toContain('already exists');
    expect(bySlug[slugs[1]].to).toBe(V + 1);
    expect(bySlug[slugs[0]]).toMatchObject({ to: V + 2, applied: ['AddSecondMarker9000000000002'] });
    expect(bySlug[slugs[2]]).toMatchObject({ to: V + 2, applied: ['AddSecondMarker9000000000002'] });
    const [row] = await t.dataSource.query('SELECT db_version FROM platform.tenants WHERE slug = $1', [slugs[1]]);
    expect(row.db_version).toBe(V + 1);
    const history = await t.dataSource.query(`SELECT name FROM "${broken}".tenant_migrations ORDER BY name`);
    expect(history.map((h: { name: string }) => h.name)).not.toContain('AddSecondMarker9000000000002');

    const status = await migratorWith(set).status();
    expect(status.target).toBe(V + 2);
    const mine = status.tenants.filter((s) => slugs.includes(s.slug));
    expect(mine.find((s) => s.slug === slugs[1])).toMatchObject({ db_version: V + 1, current: false });
    expect(mine.find((s) => s.slug === slugs[0])).toMatchObject({ db_version: V + 2, current: true });
  });

  it('refuses to touch a schema migrated by a newer build, and never lowers its db_version', async () => {
    const reports = ours(await migratorWith(tenantMigrations).migrateAll(2));
    for (const r of reports) expect(r.error).toContain('does not know');
    const versions = await t.dataSource.query('SELECT slug, db_version FROM platform.tenants WHERE slug = ANY($1) ORDER BY slug', [slugs]);
    expect(versions.map((v: { db_version: number }) => v.db_version).sort((a: number, b: number) => a - b)).toEqual([V + 1, V + 2, V + 2]);
  });
});
