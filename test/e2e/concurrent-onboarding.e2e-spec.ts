import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

/** The tenant actor: one slug sent many times at once, to two processes' worth of apps, yields one tenant. */
describe('concurrent onboarding of one slug', () => {
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    // Two app instances share the database, so the advisory lock, not only the in-process mailbox, is exercised.
    first = await startTestApp([AuthAppModule]);
    second = await startTestApp([AuthAppModule]);
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  /** Tenant schemas without a registry row: what a lost race would leave behind. Other test files onboard meanwhile, so no global count. */
  const orphanSchemas = async () =>
    (await first.dataSource.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%' AND nspname NOT IN (SELECT schema_name FROM platform.tenants)`)).map(
      (r: { nspname: string }) => r.nspname,
    );

  it('gives exactly one tenant and one schema for 50 simultaneous requests; the others get 409 tenant.exists', async () => {
    const slug = uniqueSlug('race');
    const body = { slug, name: 'Race', admin: { email: 'admin@race.example', password: 'a long enough password' } };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? first : second).call('POST', '/v1/admin/tenants', body)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'tenant.exists')).toBe(true);

    const tenants = await first.dataSource.query('SELECT id, status, schema_name FROM platform.tenants WHERE slug = $1', [slug]);
    expect(tenants).toEqual([{ id: results.find((r) => r.status === 201)!.body.id, status: 'active', schema_name: expect.any(String) }]);
    const schema = await first.dataSource.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [tenants[0].schema_name]);
    expect(schema).toHaveLength(1);
    expect(await orphanSchemas()).toEqual([]);
    const events = await first.dataSource.query(`SELECT 1 FROM platform.outbox WHERE type = 'tenant.onboarded' AND tenant_id = $1`, [tenants[0].id]);
    expect(events).toHaveLength(1);
  });

  it('onboards different slugs concurrently without interference', async () => {
    const slugs = Array.from({ length: 12 }, () => uniqueSlug('par'));
    const results = await Promise.all(
      slugs.map((slug, i) =>
        (i % 2 ? first : second).call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: `a@${slug}.example`, password: 'a long enough password' } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(slugs.map(() => 201));
    const rows = await first.dataSource.query(`SELECT count(*)::int AS n FROM platform.tenants WHERE slug = ANY($1) AND status = 'active'`, [slugs]);
    expect(rows[0].n).toBe(12);
  });
});
