import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

/** The first admin's password meets the same policy as every other password (length, the common-password list). */
describe("onboarding: the first admin's password", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
  });
  afterAll(() => t.close());

  const onboard = (slug: string, password: string, settings: Record<string, number> = {}) =>
    t.call('POST', '/v1/admin/tenants', { slug, name: slug, settings, admin: { email: `admin@${slug}.example`, password } });
  /** Tenant schemas with no registry row: what a half-created tenant would leave. */
  const orphanSchemas = async () =>
    (await t.dataSource.query(`SELECT nspname FROM pg_namespace WHERE nspname ~ '^t_[0-9a-f]{32}$' AND nspname NOT IN (SELECT schema_name FROM platform.tenants)`)).map(
      (r: { nspname: string }) => r.nspname,
    );

  it.each([
    ['a common password', 'password1234', {}, 'admin.password is too common: it appears in lists of breached passwords'],
    ['a common password, in other case', 'QWERTY123456', {}, 'admin.password is too common: it appears in lists of breached passwords'],
    ['a password shorter than the tenant asks', 'fourteen chars', { password_min_length: 15 }, 'admin.password must be at least 15 characters'],
  ])('refuses %s with 400 validation.failed and creates nothing', async (_what, password, settings, issue) => {
    const slug = uniqueSlug('onbpw');
    const res = await onboard(slug, password, settings);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation.failed', details: [{ field: 'admin.password', issue }] });
    expect(await t.dataSource.query('SELECT 1 FROM platform.tenants WHERE slug = $1', [slug])).toEqual([]);
    expect(await orphanSchemas()).toEqual([]);
    expect((await t.call('GET', `/v1/admin/tenants/${slug}`)).status).toBe(404);
  });

  it('accepts a password that meets the policy, and the admin signs in with it', async () => {
    const slug = uniqueSlug('onbpw');
    expect((await onboard(slug, 'correct horse battery staple')).status).toBe(201);
    const login = await t.call('POST', `/v1/t/${slug}/auth/login`, { email: `admin@${slug}.example`, password: 'correct horse battery staple' }, { auth: false });
    expect(login.status).toBe(200);
  });
});
