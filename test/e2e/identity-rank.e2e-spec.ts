import { startTestApp, TestApp } from '@credence/testing';
import { AuditAppModule } from '../../apps/audit/src/audit-app.module';
import { GrantResetPassword1732560000008 } from '@migrations/tenant/1732560000008-grant-reset-password';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { eventsOf, login, Member, member, onboard, PASSWORD, Tenant } from './identity-authz-fixture';

const NEW_PASSWORD = 'somebody else chose this one';

/**
 * Nobody acts on a user who outranks them or holds a permission they lack, whatever the scope says
 * (issue 10, item 1): every route that changes another user, their roles or their sessions.
 */
describe('acting on another user needs to outrank them', () => {
  let t: TestApp;
  let ten: Tenant;
  let director: Member;
  const users = (id: string) => `/v1/t/${ten.slug}/users/${id}`;
  const role = async (name: string, permissions: string[]) => {
    const res = await t.call('POST', `/v1/t/${ten.slug}/roles`, { name, permissions }, { auth: ten.admin });
    if (res.status !== 201) throw new Error(`role ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const itDept = { department: 'it' };
  const canLogIn = async (email: string, password = PASSWORD) => (await t.call('POST', `/v1/t/${ten.slug}/auth/login`, { email, password }, { auth: false })).status;
  const lastDenial = async () => (await eventsOf(t, ten, 'authz.access.denied')).at(-1);
  const stored = async (id: string) => (await t.call('GET', users(id), undefined, { auth: ten.admin })).body;

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule, AuditAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '100000', RETENTION_ENABLED: 'false' });
    ten = await onboard(t, 'rank');
    // The admin joins department `it`, and holds `guest` directly so that a role can be taken away below.
    expect((await t.call('PATCH', users(ten.adminId), { attributes: itDept }, { auth: ten.admin })).status).toBe(200);
    expect((await t.call('POST', `${users(ten.adminId)}/roles/guest`, undefined, { auth: ten.admin })).status).toBe(200);
    await role('helpdesk', ['user.update:department', 'user.read:department']);
    await role('it-desk', [
      'user.read:department',
      'user.update:department',
      'user.reset_password:department',
      'user.delete:department',
      'user.erase:department',
      'session.revoke:department',
      'role.manage:any',
    ]);
    director = await member(t, ten, ['director', 'guest'], itDept);
  }, 60_000);
  afterAll(() => t?.close());

  it('refuses the reported escalation: a department-scoped user.update cannot set the tenant admin password', async () => {
    const helpdesk = await member(t, ten, ['employee', 'helpdesk'], itDept);
    const res = await t.call('PATCH', users(ten.adminId), { password: NEW_PASSWORD }, { auth: helpdesk.token });
    expect([res.status, res.body.error?.code]).toEqual([403, 'authz.access.denied']);
    expect(await lastDenial()).toMatchObject({ subject: `user/${helpdesk.id}`, data: { user_id: helpdesk.id, resource: 'user', action: 'update', reason: 'target_outranks' } });
    expect(await canLogIn(`admin@${ten.slug}.example`, NEW_PASSWORD)).toBe(401);
    expect(await canLogIn(`admin@${ten.slug}.example`)).toBe(200);
  });

  describe.each([
    ['a department-scoped desk', 'employee', 'the tenant admin', 'target_outranks'],
    ['a department-scoped desk', 'employee', 'a director', 'target_holds_more'],
    ['a manager with the desk role', 'manager', 'a director', 'target_holds_more'],
  ])('%s (%s) against %s', (_who, tier, targetName, reason) => {
    let caller: Member;
    let target: { id: string; email: string; token: string };

    beforeAll(async () => {
      caller = await member(t, ten, [tier, 'it-desk'], itDept);
      target =
        targetName === 'the tenant admin' ? { id: ten.adminId, email: `admin@${ten.slug}.example`, token: await login(t, ten.slug, `admin@${ten.slug}.example`) } : director;
    });

    it('is refused on every route that acts on them, recorded, and changes nothing', async () => {
      const before = await stored(target.id);
      const session = (await t.call('POST', `/v1/t/${ten.slug}/auth/login`, { email: target.email, password: PASSWORD }, { auth: false })).body;
      const routes: [string, string, unknown, string, string][] = [
        ['PATCH', users(target.id), { display_name: 'Taken over' }, 'user', 'update'],
        ['PATCH', users(target.id), { password: NEW_PASSWORD }, 'user', 'update'],
        ['POST', `${users(target.id)}/disable`, undefined, 'user', 'update'],
        ['POST', `${users(target.id)}/enable`, undefined, 'user', 'update'],
        ['DELETE', users(target.id), undefined, 'user', 'delete'],
        ['POST', `${users(target.id)}/roles/employee`, undefined, 'role', 'manage'],
        ['DELETE', `${users(target.id)}/roles/guest`, undefined, 'role', 'manage'],
        ['DELETE', `/v1/t/${ten.slug}/sessions/${session.session_id}`, undefined, 'session', 'revoke'],
        ['POST', `${users(target.id)}/erase`, undefined, 'user', 'erase'],
      ];
      for (const [method, path, body, resource, action] of routes) {
        const res = await t.call(method, path, body, { auth: caller.token });
        expect([method, path, res.status, res.body?.error?.code]).toEqual([method, path, 403, 'authz.access.denied']);
        expect(await lastDenial()).toMatchObject({ data: { user_id: caller.id, resource, action, reason } });
      }
      const after = await stored(target.id);
      expect(after).toEqual(before);
      expect(after.status).toBe('active');
      expect(await canLogIn(target.email)).toBe(200);
      expect(await canLogIn(target.email, NEW_PASSWORD)).toBe(401);
      expect((await t.call('GET', `/v1/t/${ten.slug}/sessions`, undefined, { auth: session.access_token })).status).toBe(200);
      expect(await t.dataSource.query(`SELECT 1 FROM "${ten.schema}".erased_users WHERE user_id = $1`, [target.id])).toEqual([]);
    });
  });

  it('refuses acting on a peer of the same rank below the top tier', async () => {
    const [a, b] = [await member(t, ten, ['employee', 'it-desk'], itDept), await member(t, ten, ['employee', 'it-desk'], itDept)];
    const res = await t.call('POST', `${users(b.id)}/disable`, undefined, { auth: a.token });
    expect(res.status).toBe(403);
    expect(await lastDenial()).toMatchObject({ data: { user_id: a.id, reason: 'target_outranks' } });
    expect((await stored(b.id)).status).toBe('active');
  });

  it('lets a tenant admin reset an employee password', async () => {
    const employee = await member(t, ten, ['employee']);
    expect((await t.call('PATCH', users(employee.id), { password: NEW_PASSWORD }, { auth: ten.admin })).status).toBe(200);
    expect(await canLogIn(employee.email, NEW_PASSWORD)).toBe(200);
    expect(await canLogIn(employee.email)).toBe(401);
  });

  it('lets a desk with user.reset_password:department reset a same-department employee password, and no one elsewhere', async () => {
    const desk = await member(t, ten, ['employee', 'it-desk'], itDept);
    const colleague = await member(t, ten, ['employee'], itDept);
    const elsewhere = await member(t, ten, ['employee'], { department: 'sales' });
    expect((await t.call('PATCH', users(colleague.id), { password: NEW_PASSWORD }, { auth: desk.token })).status).toBe(200);
    expect(await canLogIn(colleague.email, NEW_PASSWORD)).toBe(200);
    const res = await t.call('PATCH', users(elsewhere.id), { password: NEW_PASSWORD }, { auth: desk.token });
    expect(res.status).toBe(403);
    expect(await canLogIn(elsewhere.email)).toBe(200);
  });

  it('never lets user.update imply setting a password: that needs user.reset_password', async () => {
    const helpdesk = await member(t, ten, ['employee', 'helpdesk'], itDept);
    const colleague = await member(t, ten, ['employee'], itDept);
    expect((await t.call('PATCH', users(colleague.id), { display_name: 'Renamed' }, { auth: helpdesk.token })).status).toBe(200);
    const res = await t.call('PATCH', users(colleague.id), { password: NEW_PASSWORD }, { auth: helpdesk.token });
    expect([res.status, res.body.error.code]).toEqual([403, 'authz.access.denied']);
    expect(await lastDenial()).toMatchObject({ data: { user_id: helpdesk.id, resource: 'user', action: 'reset_password', reason: 'no_permission' } });
    expect(await canLogIn(colleague.email)).toBe(200);
  });

  it('grants user.reset_password:any to tenant admins of tenants created before it existed (migration 1732560000008)', async () => {
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SELECT set_config('search_path', $1, true)`, [`"${ten.schema}",platform`]);
      await runner.query(`UPDATE roles SET permissions = array_remove(permissions, 'user.reset_password:any') WHERE name = 'tenant_admin'`);
      await new GrantResetPassword1732560000008().up(runner);
      await new GrantResetPassword1732560000008().up(runner);
      const rows = await runner.query(`SELECT name, permissions FROM roles WHERE 'user.reset_password:any' = ANY (permissions)`);
      expect(rows.map((r: { name: string }) => r.name)).toEqual(['tenant_admin']);
      expect(rows[0].permissions.filter((p: string) => p === 'user.reset_password:any')).toHaveLength(1);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('leaves acting on yourself to the self rules', async () => {
    const desk = await member(t, ten, ['employee', 'it-desk'], itDept);
    expect((await t.call('PATCH', users(desk.id), { display_name: 'Me' }, { auth: desk.token })).status).toBe(200);
  });
});
