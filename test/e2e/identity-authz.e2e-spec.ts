import { randomUUID } from 'node:crypto';
import { TokenIssuer } from '@credence/identity';
import { startTestApp, TestApp } from '@credence/testing';
import { GrantPermissionCheck1732560000003 } from '@migrations/tenant/1732560000003-grant-permission-check';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { eventsOf, Member, member, onboard, Tenant } from './identity-authz-fixture';

/** The authorization engine over HTTP: scopes on routes, check-access, permissions/check, denials and their events. */
describe('authorization', () => {
  let t: TestApp;
  let az: Tenant;
  let other: Tenant;
  let eng1: Member; // manager, eng
  let eng2: Member; // employee, eng
  let ops1: Member; // employee, ops
  let dir: Member; // director
  let nodept: Member; // manager without a department
  let selfie: Member; // custom role: user.read:self only
  let guest: Member;
  const as = (m: Member | string) => ({ auth: typeof m === 'string' ? m : m.token });
  const userPath = (id: string) => `/v1/t/${az.slug}/users/${id}`;
  const role = (name: string, permissions: string[]) => t.call('POST', `/v1/t/${az.slug}/roles`, { name, permissions }, { auth: az.admin });

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '100000' });
    [az, other] = await Promise.all([onboard(t, 'authz'), onboard(t, 'authz-b')]);
    await role('self-reader', ['user.read:self']);
    eng1 = await member(t, az, ['manager'], { department: 'eng' });
    eng2 = await member(t, az, ['employee'], { department: 'eng' });
    ops1 = await member(t, az, ['employee'], { department: 'ops' });
    dir = await member(t, az, ['director']);
    nodept = await member(t, az, ['manager']);
    selfie = await member(t, az, ['self-reader'], { department: 'eng' });
    guest = await member(t, az, ['guest']);
  });
  afterAll(() => t.close());

  const denied = async (res: { status: number; body: any }, by: Member, reason: string, resource = 'user', action = 'read') => {
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('authz.access.denied');
    const events = await eventsOf(t, az, 'authz.access.denied');
    expect(events.at(-1)).toMatchObject({ subject: `user/${by.id}`, data: { user_id: by.id, resource, action, reason } });
  };

  describe('scopes on GET /users/:id', () => {
    it(':any reads every user of the tenant', async () => {
      for (const target of [eng2, ops1, az.adminId]) {
        const res = await t.call('GET', userPath(typeof target === 'string' ? target : target.id), undefined, as(dir));
        expect(res.status).toBe(200);
      }
    });

    it(':department reads the same department only', async () => {
      expect((await t.call('GET', userPath(eng2.id), undefined, as(eng1))).status).toBe(200);
      expect((await t.call('GET', userPath(eng1.id), undefined, as(eng1))).status).toBe(200);
      await denied(await t.call('GET', userPath(ops1.id), undefined, as(eng1)), eng1, 'department_mismatch');
      await denied(await t.call('GET', userPath(dir.id), undefined, as(eng1)), eng1, 'department_mismatch');
    });

    it(':department with no department of your own reaches nobody', async () => {
      await denied(await t.call('GET', userPath(dir.id), undefined, as(nodept)), nodept, 'department_mismatch');
    });

    it(':self reads only your own record', async () => {
      expect((await t.call('GET', userPath(selfie.id), undefined, as(selfie))).status).toBe(200);
      await denied(await t.call('GET', userPath(eng2.id), undefined, as(selfie)), selfie, 'not_own_record');
    });

    it('no grant at all is no_permission; a missing user is 404 only for :any', async () => {
      await denied(await t.call('GET', userPath(eng2.id), undefined, as(eng2)), eng2, 'no_permission');
      await denied(await t.call('GET', userPath(randomUUID()), undefined, as(selfie)), selfie, 'not_own_record');
      const missing = await t.call('GET', userPath(randomUUID()), undefined, as(dir));
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('user.not_found');
    });
  });

  describe('scopes on lists and writes', () => {
    const ids = (body: any) => body.data.map((u: { id: string }) => u.id).sort();

    it('narrows GET /users to what the scopes reach', async () => {
      expect(ids((await t.call('GET', `/v1/t/${az.slug}/users?limit=100`, undefined, as(eng1))).body)).toEqual([eng1.id, eng2.id, selfie.id].sort());
      expect(ids((await t.call('GET', `/v1/t/${az.slug}/users?limit=100`, undefined, as(selfie))).body)).toEqual([selfie.id]);
      expect(ids((await t.call('GET', `/v1/t/${az.slug}/users?limit=100`, undefined, as(nodept))).body)).toEqual([]);
      expect((await t.call('GET', `/v1/t/${az.slug}/users?limit=100`, undefined, as(dir))).body.data.length).toBeGreaterThanOrEqual(8);
      await denied(await t.call('GET', `/v1/t/${az.slug}/users`, undefined, as(eng2)), eng2, 'no_permission');
    });

    it('user.update:department edits the department but cannot move anyone out of it', async () => {
      await role('dept-editor', ['user.update:department', 'user.create:department']);
      const editor = await member(t, az, ['dept-editor'], { department: 'eng' });
      expect((await t.call('PATCH', userPath(eng2.id), { display_name: 'Edited' }, as(editor))).status).toBe(200);
      await denied(await t.call('PATCH', userPath(eng2.id), { attributes: { department: 'ops' } }, as(editor)), editor, 'department_mismatch', 'user', 'update');
      await denied(await t.call('PATCH', userPath(ops1.id), { display_name: 'Nope' }, as(editor)), editor, 'department_mismatch', 'user', 'update');
      expect((await t.call('GET', userPath(eng2.id), undefined, as(dir))).body.attributes).toEqual({ department: 'eng' });
      expect((await t.call('GET', userPath(ops1.id), undefined, as(dir))).body.display_name).toBeNull();

      expect((await t.call('POST', `/v1/t/${az.slug}/users`, { email: 'new-eng@authz.example', attributes: { department: 'eng' } }, as(editor))).status).toBe(201);
      await denied(
        await t.call('POST', `/v1/t/${az.slug}/users`, { email: 'new-ops@authz.example', attributes: { department: 'ops' } }, as(editor)),
        editor,
        'department_mismatch',
        'user',
        'create',
      );
      await denied(await t.call('POST', `/v1/t/${az.slug}/users`, { email: 'new-none@authz.example' }, as(editor)), editor, 'department_mismatch', 'user', 'create');
    });

    it('user.update:self cannot move its holder into another department', async () => {
      await role('self-editor', ['user.update:self']);
      const me = await member(t, az, ['self-editor'], { department: 'ops' });
      expect((await t.call('PATCH', userPath(me.id), { display_name: 'Me' }, as(me))).status).toBe(200);
      await denied(await t.call('PATCH', userPath(me.id), { attributes: { department: 'eng' } }, as(me)), me, 'conditions_not_met', 'user', 'update');
      await denied(await t.call('PATCH', userPath(ops1.id), { display_name: 'You' }, as(me)), me, 'not_own_record', 'user', 'update');
    });
  });

  describe('roles are read from the database, not the token', () => {
    it('ignores a roles claim the user does not hold', async () => {
      const issuer = t.app.get(TokenIssuer);
      const forged = await issuer.issue({ id: az.id, slug: az.slug, schema: az.schema }, { userId: ops1.id, sessionId: randomUUID(), roles: ['tenant_admin'] });
      await denied(await t.call('GET', userPath(eng2.id), undefined, as(forged.token)), ops1, 'no_permission');
      await denied(await t.call('GET', `/v1/t/${az.slug}/roles`, undefined, as(forged.token)), ops1, 'no_permission', 'role', 'manage');
    });

    it('refuses a disabled user even with a token whose session was never revoked', async () => {
      const off = await member(t, az, ['director']);
      await t.call('POST', `/v1/t/${az.slug}/users/${off.id}/disable`, undefined, { auth: az.admin });
      const issued = await t.app.get(TokenIssuer).issue({ id: az.id, slug: az.slug, schema: az.schema }, { userId: off.id, sessionId: randomUUID(), roles: ['director'] });
      await denied(await t.call('GET', userPath(ops1.id), undefined, as(issued.token)), off, 'user_inactive');
    });

    it('takes a removed role away at once, with the same token', async () => {
      const temp = await member(t, az, ['director']);
      expect((await t.call('GET', userPath(ops1.id), undefined, as(temp))).status).toBe(200);
      await t.call('DELETE', `/v1/t/${az.slug}/users/${temp.id}/roles/director`, undefined, { auth: az.admin });
      await denied(await t.call('GET', userPath(ops1.id), undefined, as(temp)), temp, 'no_permission');
    });
  });

  describe('POST /auth/check-access', () => {
    const ask = (m: Member, body: Record<string, unknown>) => t.call('POST', `/v1/t/${az.slug}/auth/check-access`, body, as(m));

    it('answers allowed with the permission that allows it', async () => {
      const res = await ask(dir, { resource: 'user', action: 'read' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ allowed: true, reason: 'granted', permission: 'user.read:any', detail: expect.any(String) });
    });

    it('answers conditional grants against the record in context', async () => {
      expect((await ask(eng1, { resource: 'user', action: 'read' })).body).toMatchObject({ allowed: false, reason: 'target_required' });
      expect((await ask(eng1, { resource: 'user', action: 'read', context: { user_id: eng2.id } })).body).toMatchObject({ allowed: true, permission: 'user.read:department' });
      expect((await ask(eng1, { resource: 'user', action: 'read', context: { user_id: ops1.id } })).body).toMatchObject({ allowed: false, reason: 'department_mismatch' });
      expect((await ask(eng1, { resource: 'user', action: 'read', context: { attributes: { department: 'eng' } } })).body).toMatchObject({ allowed: true });
      // stored attributes of a known user win over attributes the caller claims
      expect((await ask(eng1, { resource: 'user', action: 'read', context: { user_id: ops1.id, attributes: { department: 'eng' } } })).body.allowed).toBe(false);
      expect((await ask(eng2, { resource: 'session', action: 'read', context: { user_id: eng2.id } })).body).toMatchObject({ allowed: true, permission: 'session.read:self' });
      expect((await ask(eng2, { resource: 'session', action: 'read', context: { user_id: ops1.id } })).body).toMatchObject({ allowed: false, reason: 'not_own_record' });
      expect((await ask(guest, { resource: 'session', action: 'read', context: { user_id: guest.id } })).body).toMatchObject({ allowed: false, reason: 'no_permission' });
    });

    it('includes every lower tier in a higher one (rank); custom roles include only their own', async () => {
      // manager inherits employee (session.revoke:self) and guest (profile.read:self)
      expect((await ask(eng1, { resource: 'session', action: 'revoke', context: { user_id: eng1.id } })).body).toMatchObject({
        allowed: true,
        permission: 'session.revoke:self',
      });
      expect((await ask(eng1, { resource: 'profile', action: 'read', context: { user_id: eng1.id } })).body).toMatchObject({ allowed: true, permission: 'profile.read:self' });
      // director inherits manager's session.read:department, but :any of its own wins
      expect((await ask(dir, { resource: 'session', action: 'read' })).body).toMatchObject({ allowed: true, permission: 'session.read:any' });
      // the tenant admin holds everything below
      const admin: Member = { id: az.adminId, email: '', token: az.admin };
      for (const [resource, action] of [
        ['audit', 'read'],
        ['user', 'read'],
        ['profile', 'update'],
      ]) {
        expect((await ask(admin, { resource, action, context: { user_id: az.adminId } })).body.allowed).toBe(true);
      }
      // a custom role inherits nothing
      expect((await ask(selfie, { resource: 'profile', action: 'read', context: { user_id: selfie.id } })).body).toMatchObject({ allowed: false, reason: 'no_permission' });
    });

    it('does not record a "no" as a denial: it is an answer', async () => {
      const before = (await eventsOf(t, az, 'authz.access.denied')).length;
      await ask(guest, { resource: 'audit', action: 'read' });
      expect(await eventsOf(t, az, 'authz.access.denied')).toHaveLength(before);
    });
  });

  describe('POST /permissions/check', () => {
    const check = (token: string, body: Record<string, unknown>) => t.call('POST', `/v1/t/${az.slug}/permissions/check`, body, { auth: token });

    it('answers for another user, to a caller holding permission.check:any', async () => {
      expect((await check(az.admin, { user_id: eng1.id, resource: 'user', action: 'read', context: { user_id: eng2.id } })).body).toMatchObject({
        allowed: true,
        reason: 'granted',
        permission: 'user.read:department',
      });
      expect((await check(az.admin, { user_id: eng1.id, resource: 'user', action: 'read', context: { user_id: ops1.id } })).body).toMatchObject({
        allowed: false,
        reason: 'department_mismatch',
      });
      expect((await check(az.admin, { user_id: randomUUID(), resource: 'user', action: 'read' })).body).toMatchObject({ allowed: false, reason: 'user_not_found' });
    });

    it('answers user_inactive for a disabled user', async () => {
      const gone = await member(t, az, ['director']);
      await t.call('POST', `/v1/t/${az.slug}/users/${gone.id}/disable`, undefined, { auth: az.admin });
      expect((await check(az.admin, { user_id: gone.id, resource: 'user', action: 'read' })).body).toMatchObject({ allowed: false, reason: 'user_inactive' });
    });

    it('answers a service that authenticates with its service credential (HTTP Basic)', async () => {
      const cred = await t.call('POST', `/v1/t/${az.slug}/service-credentials`, { name: 'gatekeeper' }, { auth: az.admin });
      expect(cred.status).toBe(201);
      const basic = `Basic ${Buffer.from(`${cred.body.client_id}:${cred.body.client_secret}`).toString('base64')}`;
      const ask = (authorization: string) =>
        fetch(`${t.url}/v1/t/${az.slug}/permissions/check`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ user_id: eng1.id, resource: 'user', action: 'read', context: { user_id: eng2.id } }),
        });
      const ok = await ask(basic);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ allowed: true, permission: 'user.read:department' });
      const wrong = await ask(`Basic ${Buffer.from(`${cred.body.client_id}:nope`).toString('base64')}`);
      expect(wrong.status).toBe(401);
      expect(((await wrong.json()) as any).error.code).toBe('auth.invalid_client');
    });

    it('refuses a caller without permission.check:any (403 and a denial event)', async () => {
      await denied(await check(dir.token, { user_id: eng1.id, resource: 'user', action: 'read' }), dir, 'no_permission', 'permission', 'check');
    });

    it('is granted to tenant admins of tenants migrated before it existed (migration 1732560000003)', async () => {
      const runner = t.dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        await runner.query(`SELECT set_config('search_path', $1, true)`, [`"${az.schema}",platform`]);
        await runner.query(`UPDATE roles SET permissions = array_remove(permissions, 'permission.check:any') WHERE name = 'tenant_admin'`);
        await new GrantPermissionCheck1732560000003().up(runner);
        await new GrantPermissionCheck1732560000003().up(runner);
        const [row] = await runner.query(`SELECT permissions FROM roles WHERE name = 'tenant_admin'`);
        expect(row.permissions.filter((p: string) => p === 'permission.check:any')).toHaveLength(1);
        const [employee] = await runner.query(`SELECT permissions FROM roles WHERE name = 'employee'`);
        expect(employee.permissions).not.toContain('permission.check:any');
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    });
  });

  describe('tenants', () => {
    it("refuses tenant A's token on tenant B's routes, and changes nothing there", async () => {
      const before = await eventsOf(t, other);
      const routes: [string, string, unknown?][] = [
        ['GET', `/v1/t/${other.slug}/users`],
        ['GET', `/v1/t/${other.slug}/users/${other.adminId}`],
        ['POST', `/v1/t/${other.slug}/users`, { email: 'intruder@b.example' }],
        ['DELETE', `/v1/t/${other.slug}/users/${other.adminId}`],
        ['GET', `/v1/t/${other.slug}/roles`],
        ['POST', `/v1/t/${other.slug}/auth/check-access`, { resource: 'user', action: 'read' }],
        ['POST', `/v1/t/${other.slug}/permissions/check`, { user_id: other.adminId, resource: 'user', action: 'read' }],
      ];
      for (const [method, path, body] of routes) {
        const res = await t.call(method, path, body, { auth: az.admin });
        expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 401, 'auth.token.invalid']);
      }
      expect(await eventsOf(t, other)).toEqual(before);
      expect(await t.dataSource.query(`SELECT 1 FROM "${other.schema}".users WHERE email = 'intruder@b.example'`)).toHaveLength(0);
    });

    it('answers 401 without a token', async () => {
      const res = await t.call('GET', `/v1/t/${az.slug}/users`, undefined, { auth: false });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('auth.missing_credentials');
    });
  });
});
