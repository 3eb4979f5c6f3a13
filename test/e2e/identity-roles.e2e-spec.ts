import { startTestApp, TestApp } from '@credence/testing';
import { DEFAULT_ROLES } from '@credence/identity';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { eventsOf, member, onboard, Tenant } from './identity-authz-fixture';

/** Roles: the default tiers, custom roles, built-in protection, assignment to users, and their events. */
describe('roles API', () => {
  let t: TestApp;
  let acme: Tenant;
  const roles = () => `/v1/t/${acme.slug}/roles`;
  const call = (method: string, path: string, body?: unknown) => t.call(method, path, body, { auth: acme.admin });
  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '100000' });
    acme = await onboard(t, 'roles');
  });
  afterAll(() => t.close());

  it('lists the five default tiers seeded at onboarding, tenant_admin holding permission.check:any', async () => {
    const res = await call('GET', `${roles()}?limit=100`);
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.body.data.map((r: any) => [r.name, r]));
    expect(DEFAULT_ROLES.map((d) => [d.name, byName[d.name].rank, byName[d.name].builtin])).toEqual([
      ['guest', 10, true],
      ['employee', 20, true],
      ['manager', 30, true],
      ['director', 40, true],
      ['tenant_admin', 50, true],
    ]);
    expect(byName.tenant_admin.permissions).toContain('permission.check:any');
    expect(res.body.meta.next_cursor).toBeNull();
    const paged = await call('GET', `${roles()}?limit=2`);
    expect(paged.body.data).toHaveLength(2);
    expect(paged.body.meta.next_cursor).toEqual(expect.any(String));
  });

  it('creates a custom role (no rank), reads it by name or id, and refuses a duplicate name', async () => {
    const res = await call('POST', roles(), { name: 'auditor', description: 'Reads the audit trail', permissions: ['audit.read:any', 'user.read:department'] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'auditor', rank: null, builtin: false, permissions: ['audit.read:any', 'user.read:department'] });
    expect((await call('GET', `${roles()}/auditor`)).body.id).toBe(res.body.id);
    expect((await call('GET', `${roles()}/${res.body.id}`)).body.name).toBe('auditor');
    const dup = await call('POST', roles(), { name: 'auditor', permissions: [] });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('role.already_exists');
    expect((await eventsOf(t, acme, 'role.created')).map((e) => e.data)).toEqual([
      { role_id: res.body.id, name: 'auditor', permissions: ['audit.read:any', 'user.read:department'] },
    ]);
  });

  it('a custom role grants its own permissions and nothing from the tiers', async () => {
    await call('POST', roles(), { name: 'reader', permissions: ['user.read:any'] });
    const m = await member(t, acme, ['reader']);
    expect((await t.call('GET', `/v1/t/${acme.slug}/users/${acme.adminId}`, undefined, { auth: m.token })).status).toBe(200);
    const profile = await t.call('POST', `/v1/t/${acme.slug}/auth/check-access`, { resource: 'profile', action: 'read', context: { user_id: m.id } }, { auth: m.token });
    expect(profile.body).toMatchObject({ allowed: false, reason: 'no_permission' });
  });

  it('updates a custom role: rename, description, permissions (role.updated names what changed)', async () => {
    const res = await call('PATCH', `${roles()}/auditor`, { name: 'compliance', permissions: ['audit.read:any'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'compliance', permissions: ['audit.read:any'] });
    expect((await call('PATCH', `${roles()}/compliance`, { permissions: ['audit.read:any'] })).status).toBe(200);
    const evs = await eventsOf(t, acme, 'role.updated');
    expect(evs.map((e) => e.data)).toEqual([{ role_id: res.body.id, name: 'compliance', permissions: ['audit.read:any'], changed: ['name', 'permissions'] }]);
    expect((await call('PATCH', `${roles()}/compliance`, { name: 'reader' })).body.error.code).toBe('role.already_exists');
  });

  it('lets built-in roles be extended, never renamed, stripped of a default or deleted (409 role.builtin)', async () => {
    const employee = DEFAULT_ROLES.find((d) => d.name === 'employee')!;
    const extended = await call('PATCH', `${roles()}/employee`, { permissions: [...employee.permissions, 'audit.read:self'], description: 'Staff' });
    expect(extended.status).toBe(200);
    expect(extended.body.permissions).toContain('audit.read:self');
    expect((await call('PATCH', `${roles()}/employee`, { permissions: [...employee.permissions] })).status).toBe(200);

    const renamed = await call('PATCH', `${roles()}/employee`, { name: 'staff' });
    expect(renamed.status).toBe(409);
    expect(renamed.body.error.code).toBe('role.builtin');
    const stripped = await call('PATCH', `${roles()}/employee`, { permissions: ['session.read:self'] });
    expect(stripped.status).toBe(409);
    expect(stripped.body.error.details).toEqual([{ field: 'permissions', issue: expect.stringContaining('profile.update:self') }]);
    const deleted = await call('DELETE', `${roles()}/tenant_admin`);
    expect(deleted.status).toBe(409);
    expect(deleted.body.error.code).toBe('role.builtin');
    expect((await call('GET', `${roles()}/employee`)).body).toMatchObject({ name: 'employee', description: 'Staff', permissions: [...employee.permissions] });
  });

  it('an extension of a lower tier reaches every higher tier', async () => {
    await call('POST', roles(), { name: 'placeholder', permissions: [] });
    const guestPerms = DEFAULT_ROLES.find((d) => d.name === 'guest')!.permissions;
    await call('PATCH', `${roles()}/guest`, { permissions: [...guestPerms, 'report.export:any'] });
    const mgr = await member(t, acme, ['manager']);
    const res = await t.call('POST', `/v1/t/${acme.slug}/auth/check-access`, { resource: 'report', action: 'export' }, { auth: mgr.token });
    expect(res.body).toMatchObject({ allowed: true, permission: 'report.export:any' });
  });

  describe('assignment', () => {
    it('assigns by name or id, once (user.role.assigned), and removes (user.role.removed)', async () => {
      const m = await member(t, acme, []);
      const users = `/v1/t/${acme.slug}/users/${m.id}/roles`;
      const manager = (await call('GET', `${roles()}/manager`)).body;
      expect((await call('POST', `${users}/manager`)).body.roles).toEqual(['manager']);
      expect((await call('POST', `${users}/${manager.id}`)).body.roles).toEqual(['manager']);
      expect((await call('POST', `${users}/guest`)).body.roles).toEqual(['guest', 'manager']);
      const assigned = (await eventsOf(t, acme, 'user.role.assigned')).filter((e) => e.data.user_id === m.id);
      expect(assigned.map((e) => e.data)).toEqual([
        { user_id: m.id, role_id: manager.id, role: 'manager' },
        { user_id: m.id, role_id: expect.any(String), role: 'guest' },
      ]);
      expect((await call('DELETE', `${users}/manager`)).body.roles).toEqual(['guest']);
      expect((await call('DELETE', `${users}/manager`)).status).toBe(200);
      const removed = (await eventsOf(t, acme, 'user.role.removed')).filter((e) => e.data.user_id === m.id);
      expect(removed.map((e) => e.data.role)).toEqual(['manager']);
    });

    it('answers 404 for an unknown role or user', async () => {
      const m = await member(t, acme, []);
      expect((await call('POST', `/v1/t/${acme.slug}/users/${m.id}/roles/nonexistent`)).body.error.code).toBe('role.not_found');
      expect((await call('POST', `/v1/t/${acme.slug}/users/${m.id}/roles/NOT A ROLE`)).body.error.code).toBe('role.not_found');
      expect((await call('POST', `/v1/t/${acme.slug}/users/0190b0a0-0000-7000-8000-000000000000/roles/guest`)).body.error.code).toBe('user.not_found');
    });

    it('deleting a custom role takes it from its holders (user.role.removed each, then role.deleted)', async () => {
      const created = await call('POST', roles(), { name: 'temporary', permissions: ['user.read:any'] });
      const a = await member(t, acme, ['temporary']);
      const b = await member(t, acme, ['temporary', 'guest']);
      expect((await t.call('GET', `/v1/t/${acme.slug}/users/${acme.adminId}`, undefined, { auth: a.token })).status).toBe(200);
      expect((await call('DELETE', `${roles()}/temporary`)).status).toBe(204);
      expect((await call('GET', `${roles()}/temporary`)).status).toBe(404);
      expect((await call('GET', `/v1/t/${acme.slug}/users/${b.id}`)).body.roles).toEqual(['guest']);
      expect((await t.call('GET', `/v1/t/${acme.slug}/users/${acme.adminId}`, undefined, { auth: a.token })).status).toBe(403);
      const removed = (await eventsOf(t, acme, 'user.role.removed')).filter((e) => e.data.role_id === created.body.id);
      expect(removed.map((e) => e.data.user_id).sort()).toEqual([a.id, b.id].sort());
      expect((await eventsOf(t, acme, 'role.deleted')).map((e) => e.data)).toEqual([{ role_id: created.body.id, name: 'temporary' }]);
    });
  });

  it('needs role.manage:any for every route', async () => {
    const dir = await member(t, acme, ['director']);
    for (const [method, path, body] of [
      ['GET', roles()],
      ['POST', roles(), { name: 'x-role', permissions: [] }],
      ['PATCH', `${roles()}/guest`, { description: 'x' }],
      ['DELETE', `${roles()}/compliance`],
      ['POST', `/v1/t/${acme.slug}/users/${dir.id}/roles/tenant_admin`],
    ] as [string, string, unknown?][]) {
      const res = await t.call(method, path, body, { auth: dir.token });
      expect([method, path, res.status, res.body.error?.code]).toEqual([method, path, 403, 'authz.access.denied']);
    }
    expect((await call('GET', `/v1/t/${acme.slug}/users/${dir.id}`)).body.roles).toEqual(['director']);
  });

  it('lets a role manager hand out only the Credence permissions they hold: no self-promotion, no demoting those above', async () => {
    await call('POST', roles(), { name: 'role-keeper', permissions: ['role.manage:any', 'user.read:any'] });
    const keeper = await member(t, acme, ['employee', 'role-keeper']);
    const target = await member(t, acme, ['guest']);
    const as = (method: string, path: string, body?: unknown) => t.call(method, path, body, { auth: keeper.token });

    // Promoting themselves or anyone to a tier above their own permissions is refused and recorded.
    for (const path of [`/v1/t/${acme.slug}/users/${keeper.id}/roles/tenant_admin`, `/v1/t/${acme.slug}/users/${target.id}/roles/manager`]) {
      const res = await as('POST', path);
      expect([path, res.status, res.body.error?.code]).toEqual([path, 403, 'authz.access.denied']);
    }
    expect((await eventsOf(t, acme, 'authz.access.denied')).some((e) => e.data.user_id === keeper.id && e.data.reason === 'beyond_own_permissions')).toBe(true);
    // Nor can they take the admin tier away from the admin.
    expect((await as('DELETE', `/v1/t/${acme.slug}/users/${acme.adminId}/roles/tenant_admin`)).status).toBe(403);
    // Nor write Credence permissions they lack into a role, new or existing.
    expect((await as('POST', roles(), { name: 'sneaky', permissions: ['user.delete:any'] })).status).toBe(403);
    expect((await as('PATCH', `${roles()}/role-keeper`, { permissions: ['role.manage:any', 'user.read:any', 'audit.read_personal:any'] })).status).toBe(403);
    expect((await call('GET', `/v1/t/${acme.slug}/users/${keeper.id}`)).body.roles.sort()).toEqual(['employee', 'role-keeper']);

    // What they hold they may hand out, and a tenant's own application permissions are theirs to define.
    expect((await as('POST', `/v1/t/${acme.slug}/users/${target.id}/roles/employee`)).status).toBe(200);
    const app = await as('POST', roles(), { name: 'report-viewer', permissions: ['report.view:any', 'user.read:any'] });
    expect(app.status).toBe(201);
    expect((await as('POST', `/v1/t/${acme.slug}/users/${target.id}/roles/report-viewer`)).status).toBe(200);
  });
});
