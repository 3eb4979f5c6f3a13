import { Client } from 'pg';
import { databaseRoleTag, dropDatabase, ensureDatabase } from '@credence/database';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

const PASSWORD = 'correct horse battery staple';

/**
 * Roles are cluster-wide, grants are per database. A database dropped by hand (not through
 * Credence's dropDatabase, which drops its roles) and made again under the same name finds its
 * tenant group role from before, holding no grants on the new `platform`. Every tenant unit of work
 * then failed on the outbox: the first sign-in after onboarding answered 500.
 */
describe.each([
  ['a new schema', '0'],
  ['a spare schema', '2'],
])('a tenant onboarded on %s, where the group role survived its database', (_, spares) => {
  let t: TestApp;
  let dbUrl: string;
  let group: string;

  beforeAll(async () => {
    const url = new URL(process.env.CREDENCE_TEST_DATABASE_URL!);
    url.pathname = `${url.pathname}_regrant_${spares}`; // <run db>_*: the global teardown drops it even after a crash
    dbUrl = url.toString();
    group = `credence_tenants_${databaseRoleTag(url.pathname.slice(1))}`;
    const admin = new Client({ connectionString: process.env.CREDENCE_TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS "${group}"`);
    await admin.query(`CREATE ROLE "${group}" NOLOGIN`); // left by a database of the same name
    await admin.end();
    await ensureDatabase(dbUrl);
    t = await startTestApp([AuthAppModule], {
      DATABASE_URL: dbUrl,
      REDIS_PREFIX: `${process.env.CREDENCE_TEST_REDIS_PREFIX}:regrant-${spares}`,
      TENANT_SPARE_POOL_SIZE: spares,
    });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await dropDatabase(dbUrl);
  });

  it('gives the group its grants in this database, and the tenant’s first sign-in works', async () => {
    if (spares !== '0') {
      const deadline = Date.now() + 30_000;
      while ((await t.dataSource.query('SELECT count(*)::int AS n FROM platform.tenant_spares'))[0].n < 1) {
        if (Date.now() > deadline) throw new Error('no spare schema was made');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const onboarded = await t.call('POST', '/v1/admin/tenants', { slug: 'regrant', name: 'Regrant', admin: { email: 'ada@regrant.example', password: PASSWORD } });
    expect(onboarded.status).toBe(201);
    const [{ usage }] = await t.dataSource.query(`SELECT has_schema_privilege($1::text, 'platform', 'USAGE') AS usage`, [group]);
    expect(usage).toBe(true);
    const login = await t.call('POST', '/v1/t/regrant/auth/login', { email: 'ada@regrant.example', password: PASSWORD }, { auth: false });
    expect(login.status).toBe(200);
    expect(typeof login.body.access_token).toBe('string');
  }, 60_000);
});
