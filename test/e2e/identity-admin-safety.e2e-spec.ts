import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

const PASSWORD = 'a long enough password 1';

/** A tenant always keeps an active tenant admin. */
describe('the last tenant admin', () => {
  let t: TestApp;
  let slug: string;
  let admin: { access_token: string; user: { id: string } };
  const login = async (email: string) => (await t.call('POST', `/v1/t/${slug}/auth/login`, { email, password: PASSWORD }, { auth: false })).body;

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    slug = uniqueSlug('last');
    await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'root@last.example', password: PASSWORD } });
    admin = await login('root@last.example');
  });
  afterAll(() => t.close());

  it.each([
    ['disabled', 'POST', (id: string) => `/users/${id}/disable`],
    ['deleted', 'DELETE', (id: string) => `/users/${id}`],
    ['stripped of tenant_admin', 'DELETE', (id: string) => `/users/${id}/roles/tenant_admin`],
  ])('cannot be %s', async (_what, method, path) => {
    const res = await t.call(method, `/v1/t/${slug}${path(admin.user.id)}`, undefined, { auth: admin.access_token });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('user.last_admin');
    const [row] = await t.dataSource.query(`SELECT status FROM "t_${(await t.call('GET', `/v1/admin/tenants/${slug}`)).body.id.replace(/-/g, '')}".users WHERE id = $1`, [
      admin.user.id,
    ]);
    expect(row.status).toBe('active');
  });

  it('lets exactly one of two admins disable the other when both try at once', async () => {
    const second = await t.call('POST', `/v1/t/${slug}/users`, { email: 'two@last.example', password: PASSWORD }, { auth: admin.access_token });
    await t.call('POST', `/v1/t/${slug}/users/${second.body.id}/roles/tenant_admin`, undefined, { auth: admin.access_token });
    const other = await login('two@last.example');
    const [a, b] = await Promise.all([
      t.call('POST', `/v1/t/${slug}/users/${second.body.id}/disable`, undefined, { auth: admin.access_token }),
      t.call('POST', `/v1/t/${slug}/users/${admin.user.id}/disable`, undefined, { auth: other.access_token }),
    ]);
    const statuses = [a.status, b.status].sort();
    // One wins (200); the other is refused, by the last-admin rule or because its caller was just disabled.
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const users = await t.call('GET', `/v1/admin/tenants/${slug}`);
    const rows = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM "t_${users.body.id.replace(/-/g, '')}".users u JOIN "t_${users.body.id.replace(/-/g, '')}".user_roles ur ON ur.user_id = u.id
        JOIN "t_${users.body.id.replace(/-/g, '')}".roles r ON r.id = ur.role_id WHERE r.name = 'tenant_admin' AND u.status = 'active'`,
    );
    expect(rows[0].n).toBe(1);
  });
});

describe('changing a password', () => {
  let t: TestApp;
  let slug: string;
  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    slug = uniqueSlug('pwd');
    await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'root@pwd.example', password: PASSWORD } });
  });
  afterAll(() => t.close());
  const login = async (password = PASSWORD) => t.call('POST', `/v1/t/${slug}/auth/login`, { email: 'root@pwd.example', password }, { auth: false });

  it('asks users for their current password, and ends their other sessions but not the current one', async () => {
    const here = (await login()).body;
    const elsewhere = (await login()).body;
    const path = `/v1/t/${slug}/users/${here.user.id}`;
    const missing = await t.call('PATCH', path, { password: 'a brand new passphrase 2' }, { auth: here.access_token });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].field).toBe('current_password');
    const wrong = await t.call('PATCH', path, { password: 'a brand new passphrase 2', current_password: 'not it at all' }, { auth: here.access_token });
    expect(wrong.status).toBe(400);
    expect((await login()).status).toBe(200);
    const ok = await t.call('PATCH', path, { password: 'a brand new passphrase 2', current_password: PASSWORD }, { auth: here.access_token });
    expect(ok.status).toBe(200);
    expect((await login()).status).toBe(401);
    expect((await login('a brand new passphrase 2')).status).toBe(200);
    expect((await t.call('GET', `/v1/t/${slug}/sessions`, undefined, { auth: here.access_token })).status).toBe(200);
    const other = await t.call('GET', `/v1/t/${slug}/sessions`, undefined, { auth: elsewhere.access_token });
    expect(other.status).toBe(401);
    expect(other.body.error.code).toBe('auth.session.revoked');
  });
});
