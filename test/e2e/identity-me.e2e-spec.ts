import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

const PASSWORD = 'a long enough password 1';
const NEW_PASSWORD = 'a brand new passphrase 2';

interface Signed {
  access_token: string;
  refresh_token: string;
  session_id: string;
  user: { id: string };
}

/** Self-service under /me: own profile, own password (under the sign-in lockout), own sessions. */
describe('self-service (/me)', () => {
  let t: TestApp;
  let slug: string;
  let other: string;
  let tenantId: string;
  let schema: string;
  let admin: Signed;

  const login = async (email: string, password = PASSWORD, tenant = slug): Promise<Signed> => {
    const res = await t.call('POST', `/v1/t/${tenant}/auth/login`, { email, password }, { auth: false });
    expect(res.status).toBe(200);
    return res.body;
  };
  const tryLogin = (email: string, password: string) => t.call('POST', `/v1/t/${slug}/auth/login`, { email, password }, { auth: false });
  const me = (method: string, token: string, path = '', body?: unknown) => t.call(method, `/v1/t/${slug}/me${path}`, body, { auth: token });
  /** A user of the tenant holding `role` (none when null), signed in once. */
  const makeUser = async (name: string, role: string | null): Promise<Signed & { email: string }> => {
    const email = `${name}@me.example`;
    const created = await t.call(
      'POST',
      `/v1/t/${slug}/users`,
      { email, password: PASSWORD, display_name: name, attributes: { department: 'it' } },
      { auth: admin.access_token },
    );
    expect(created.status).toBe(201);
    if (role) expect((await t.call('POST', `/v1/t/${slug}/users/${created.body.id}/roles/${role}`, undefined, { auth: admin.access_token })).status).toBe(200);
    return { ...(await login(email)), email };
  };
  const eventsOf = async (userId: string, type: string) =>
    (
      await t.dataSource.query(`SELECT event->'data' AS data FROM platform.outbox WHERE tenant_id = $1 AND type = $2 AND event->'data'->>'user_id' = $3 ORDER BY position`, [
        tenantId,
        type,
        userId,
      ])
    ).map((r: { data: Record<string, unknown> }) => r.data);

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '100000' });
    slug = uniqueSlug('me');
    other = uniqueSlug('me-b');
    const created = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'root@me.example', password: PASSWORD } });
    expect(created.status).toBe(201);
    tenantId = created.body.id;
    schema = `t_${tenantId.replace(/-/g, '')}`;
    expect((await t.call('POST', '/v1/admin/tenants', { slug: other, name: other, admin: { email: 'root@me.example', password: PASSWORD } })).status).toBe(201);
    admin = await login('root@me.example');
  });
  afterAll(() => t.close());

  describe('profile', () => {
    it('shows a guest their own profile', async () => {
      const gus = await makeUser('gus', 'guest');
      const res = await me('GET', gus.access_token);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: gus.user.id, email: gus.email, display_name: 'gus', status: 'active', roles: ['guest'], attributes: { department: 'it' } });
    });

    it('lets an employee change their display name, and clear it with null', async () => {
      const emma = await makeUser('emma', 'employee');
      const res = await me('PATCH', emma.access_token, '', { display_name: '  Emma Example  ' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: emma.user.id, display_name: 'Emma Example', email: emma.email });
      expect((await eventsOf(emma.user.id, 'user.updated')).at(-1)).toEqual({ user_id: emma.user.id, changed: ['display_name'] });
      const cleared = await me('PATCH', emma.access_token, '', { display_name: null });
      expect(cleared.status).toBe(200);
      expect(cleared.body.display_name).toBeNull();
    });

    it('refuses every field an admin controls, and changes nothing', async () => {
      const eve = await makeUser('eve', 'employee');
      const forbidden: Record<string, unknown>[] = [
        { email: 'eve2@me.example' },
        { username: 'eve2' },
        { phone: '+14155550123' },
        { attributes: { department: 'finance' } },
        { roles: ['tenant_admin'] },
        { status: 'active' },
        { password: NEW_PASSWORD },
        { email_verified: true },
        { display_name: 'Eve', department: 'finance' },
      ];
      for (const body of forbidden) {
        const res = await me('PATCH', eve.access_token, '', body);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('validation.failed');
      }
      const [row] = await t.dataSource.query(`SELECT email, username, phone, display_name, attributes FROM "${schema}".users WHERE id = $1`, [eve.user.id]);
      expect(row).toEqual({ email: 'eve@me.example', username: null, phone: null, display_name: 'eve', attributes: { department: 'it' } });
      const roles = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${schema}".user_roles WHERE user_id = $1`, [eve.user.id]);
      expect(roles[0].n).toBe(1);
    });

    it('answers 400 to hostile values, never a 5xx', async () => {
      const hal = await makeUser('hal', 'employee');
      const deep = JSON.parse('{"a":'.repeat(50) + '1' + '}'.repeat(50));
      const bodies: unknown[] = [
        { display_name: 'nul\u0000byte' },
        { display_name: 'lone \ud800 surrogate' },
        { display_name: 'x'.repeat(201) },
        { display_name: '' },
        { display_name: '   ' },
        { display_name: 42 },
        { display_name: ['a'] },
        { display_name: { $ne: null } },
        { display_name: deep },
        '{"__proto__": {"admin": true}, "display_name": "x"}',
        [],
        'null',
      ];
      for (const body of bodies) {
        const res = await me('PATCH', hal.access_token, '', body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
      }
      const [row] = await t.dataSource.query(`SELECT display_name FROM "${schema}".users WHERE id = $1`, [hal.user.id]);
      expect(row.display_name).toBe('hal');
    });

    it("refuses a guest a change of profile (profile.update:self is the employee tier's)", async () => {
      const gil = await makeUser('gil', 'guest');
      const res = await me('PATCH', gil.access_token, '', { display_name: 'Gil' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('authz.access.denied');
      const denied = await eventsOf(gil.user.id, 'authz.access.denied');
      expect(denied.at(-1)).toMatchObject({ resource: 'profile', action: 'update', reason: 'no_permission' });
    });

    it('refuses every /me route to a user with no role', async () => {
      const nora = await makeUser('nora', null);
      const calls: [string, string, unknown?][] = [
        ['GET', ''],
        ['PATCH', '', { display_name: 'Nora' }],
        ['POST', '/password', { current_password: PASSWORD, new_password: NEW_PASSWORD }],
        ['GET', '/sessions'],
        ['DELETE', `/sessions/${nora.session_id}`],
      ];
      for (const [method, path, body] of calls) {
        const res = await me(method, nora.access_token, path, body);
        expect({ method, path, status: res.status, code: res.body.error.code }).toEqual({ method, path, status: 403, code: 'authz.access.denied' });
      }
      expect((await tryLogin(nora.email, PASSWORD)).status).toBe(200);
    });

    it('answers 401 without a token, and to a token of another tenant', async () => {
      expect((await t.call('GET', `/v1/t/${slug}/me`, undefined, { auth: false })).status).toBe(401);
      const theirs = await login('root@me.example', PASSWORD, other);
      for (const [method, path, body] of [
        ['GET', ''],
        ['PATCH', '', { display_name: 'x' }],
        ['POST', '/password', { current_password: PASSWORD, new_password: NEW_PASSWORD }],
        ['GET', '/sessions'],
      ] as [string, string, unknown?][]) {
        const res = await me(method, theirs.access_token, path, body);
        expect({ method, path, status: res.status, code: res.body.error.code }).toEqual({ method, path, status: 401, code: 'auth.token.invalid' });
      }
      // And the other way round: this tenant's admin token at the other tenant's /me.
      const res = await t.call('GET', `/v1/t/${other}/me`, undefined, { auth: admin.access_token });
      expect(res.status).toBe(401);
      // The password was not changed anywhere.
      await login('root@me.example', PASSWORD, other);
    });
  });

  describe('password', () => {
    it('changes the password, revokes every other session and keeps the current one', async () => {
      const ed = await makeUser('ed', 'employee');
      const second = await login(ed.email);
      const res = await me('POST', ed.access_token, '/password', { current_password: PASSWORD, new_password: NEW_PASSWORD });
      expect(res.status).toBe(204);

      // The other session is over: its access token is refused and its refresh token too.
      const stale = await me('GET', second.access_token);
      expect([401, 403]).toContain(stale.status);
      expect(stale.body.error.code).toBe('auth.session.revoked');
      const refreshed = await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: second.refresh_token }, { auth: false });
      expect(refreshed.status).not.toBe(200);
      // The current one stays, access and refresh alike.
      expect((await me('GET', ed.access_token)).status).toBe(200);
      const kept = await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: ed.refresh_token }, { auth: false });
      expect(kept.status).toBe(200);

      const sessions = await t.dataSource.query(`SELECT id, status, revoked_reason FROM "${schema}".auth_sessions WHERE user_id = $1 ORDER BY id`, [ed.user.id]);
      expect(sessions).toEqual([
        { id: ed.session_id, status: 'active', revoked_reason: null },
        { id: second.session_id, status: 'revoked', revoked_reason: 'password_changed' },
      ]);
      expect((await eventsOf(ed.user.id, 'user.updated')).at(-1)).toEqual({ user_id: ed.user.id, changed: ['password'] });
      expect(await eventsOf(ed.user.id, 'auth.session.revoked')).toEqual([{ session_id: second.session_id, user_id: ed.user.id, reason: 'password_changed' }]);

      expect((await tryLogin(ed.email, PASSWORD)).status).toBe(401);
      expect((await tryLogin(ed.email, NEW_PASSWORD)).status).toBe(200);
    });

    it('answers a wrong current password with 400 validation.failed on current_password, and changes nothing', async () => {
      const wes = await makeUser('wes', 'employee');
      const second = await login(wes.email);
      const res = await me('POST', wes.access_token, '/password', { current_password: 'not my password at all', new_password: NEW_PASSWORD });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'validation.failed', details: [{ field: 'current_password', issue: 'current_password must be your current password' }] });
      expect((await me('GET', second.access_token)).status).toBe(200);
      expect((await tryLogin(wes.email, PASSWORD)).status).toBe(200);
      expect((await eventsOf(wes.user.id, 'auth.login.failed')).at(-1)).toMatchObject({ user_id: wes.user.id, auth_method: 'local', reason: 'invalid_credentials' });
    });

    it('counts wrong current passwords with failed sign-ins: the account locks, even for the right password', async () => {
      const lu = await makeUser('lu', 'employee');
      for (let i = 0; i < 2; i++) expect((await tryLogin(lu.email, `wrong sign-in ${i}`)).status).toBe(401);
      for (let i = 0; i < 3; i++) {
        const wrong = await me('POST', lu.access_token, '/password', { current_password: `wrong current ${i}`, new_password: NEW_PASSWORD });
        expect(wrong.status).toBe(400);
      }
      // Five failures between the two routes: locked for both, without the password being checked.
      const locked = await me('POST', lu.access_token, '/password', { current_password: PASSWORD, new_password: NEW_PASSWORD });
      expect(locked.status).toBe(423);
      expect(locked.body.error.code).toBe('auth.account.locked');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await tryLogin(lu.email, PASSWORD)).status).toBe(423);
      expect(await eventsOf(lu.user.id, 'auth.account.locked')).toHaveLength(1);
      const [row] = await t.dataSource.query(`SELECT locked_until > now() AS locked FROM "${schema}".users WHERE id = $1`, [lu.user.id]);
      expect(row.locked).toBe(true);
      // Still the first password: nothing changed while locked.
      const [{ count }] = await t.dataSource.query(`SELECT count(*)::int AS count FROM "${schema}".password_history WHERE user_id = $1`, [lu.user.id]);
      expect(count).toBe(1);
    });

    it('applies the same lockout to your own password change through PATCH /users/{id}', async () => {
      const ada = await makeUser('ada', 'tenant_admin');
      const path = `/v1/t/${slug}/users/${ada.user.id}`;
      for (let i = 0; i < 5; i++) {
        const wrong = await t.call('PATCH', path, { password: NEW_PASSWORD, current_password: `wrong current ${i}` }, { auth: ada.access_token });
        expect(wrong.status).toBe(400);
        expect(wrong.body.error.details[0].field).toBe('current_password');
      }
      const locked = await t.call('PATCH', path, { password: NEW_PASSWORD, current_password: PASSWORD }, { auth: ada.access_token });
      expect(locked.status).toBe(423);
      expect(locked.body.error.code).toBe('auth.account.locked');
      expect((await tryLogin(ada.email, PASSWORD)).status).toBe(423);
      const reasons = (await eventsOf(ada.user.id, 'auth.login.failed')).map((e: Record<string, unknown>) => e.reason);
      expect(reasons).toEqual([...Array(5).fill('invalid_credentials'), 'account_locked', 'account_locked']);
    });

    it('judges the new password by the policy before the current one, so a refusal reveals nothing and counts nothing', async () => {
      const pat = await makeUser('pat', 'employee');
      const cases: [string, string, string][] = [
        ['not my password', 'password1234', 'new_password is too common: it appears in lists of breached passwords'],
        ['not my password', 'short', 'new_password must be at least 12 characters'],
        [PASSWORD, PASSWORD, 'new_password must differ from current_password'],
      ];
      for (const [current, next, issue] of cases) {
        const res = await me('POST', pat.access_token, '/password', { current_password: current, new_password: next });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'user.password_rejected', details: [{ field: 'new_password', issue }] });
      }
      expect(await eventsOf(pat.user.id, 'auth.login.failed')).toEqual([]);
    });

    it('refuses one of the last five passwords once the current one is proven', async () => {
      const rex = await makeUser('rex', 'employee');
      expect((await me('POST', rex.access_token, '/password', { current_password: PASSWORD, new_password: NEW_PASSWORD })).status).toBe(204);
      const back = await me('POST', rex.access_token, '/password', { current_password: NEW_PASSWORD, new_password: PASSWORD });
      expect(back.status).toBe(400);
      expect(back.body.error).toMatchObject({ code: 'user.password_rejected', details: [{ field: 'new_password' }] });
      expect((await tryLogin(rex.email, NEW_PASSWORD)).status).toBe(200);
    });

    it('refuses a guest (profile.update:self is needed) and hostile bodies', async () => {
      const gwen = await makeUser('gwen', 'guest');
      const denied = await me('POST', gwen.access_token, '/password', { current_password: PASSWORD, new_password: NEW_PASSWORD });
      expect(denied.status).toBe(403);
      const hank = await makeUser('hank', 'employee');
      for (const body of [
        {},
        { current_password: PASSWORD },
        { new_password: NEW_PASSWORD },
        { current_password: 1, new_password: NEW_PASSWORD },
        { current_password: PASSWORD, new_password: 'x'.repeat(257) },
        { current_password: PASSWORD, new_password: NEW_PASSWORD, user_id: admin.user.id },
        { current_password: 'nul\u0000', new_password: NEW_PASSWORD },
      ]) {
        const res = await me('POST', hank.access_token, '/password', body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
      }
      expect((await tryLogin(hank.email, PASSWORD)).status).toBe(200);
    });
  });

  describe('sessions', () => {
    it("lists the caller's own sessions only, the current one marked", async () => {
      const sam = await makeUser('sam', 'employee');
      const second = await login(sam.email);
      const res = await me('GET', sam.access_token, '/sessions');
      expect(res.status).toBe(200);
      expect(res.body.data.map((s: { id: string }) => s.id).sort()).toEqual([sam.session_id, second.session_id].sort());
      expect(res.body.data.find((s: { current: boolean }) => s.current).id).toBe(sam.session_id);
      const page = await me('GET', sam.access_token, '/sessions?limit=1');
      expect(page.body.data).toHaveLength(1);
      expect(page.body.meta.next_cursor).toEqual(expect.any(String));
      for (const q of ['status=gone', 'limit=0', 'cursor=%24%24', 'user_id=' + admin.user.id]) {
        expect((await me('GET', sam.access_token, `/sessions?${q}`)).status).toBe(400);
      }
    });

    it("revokes one of the caller's sessions, and answers 404 for another user's", async () => {
      const sue = await makeUser('sue', 'employee');
      const second = await login(sue.email);
      expect((await me('DELETE', sue.access_token, `/sessions/${second.session_id}`)).status).toBe(204);
      expect((await me('GET', second.access_token)).body.error.code).toBe('auth.session.revoked');
      const listed = await me('GET', sue.access_token, '/sessions?status=revoked');
      expect(listed.body.data).toMatchObject([{ id: second.session_id, revoked_reason: 'revoked_by_user' }]);

      for (const id of [admin.session_id, '00000000-0000-4000-8000-000000000000', 'nope']) {
        const res = await me('DELETE', sue.access_token, `/sessions/${id}`);
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('session.not_found');
      }
      expect((await t.call('GET', `/v1/t/${slug}/me`, undefined, { auth: admin.access_token })).status).toBe(200);
    });

    it('ends the current session like a logout', async () => {
      const cy = await makeUser('cy', 'employee');
      expect((await me('DELETE', cy.access_token, `/sessions/${cy.session_id}`)).status).toBe(204);
      expect((await me('GET', cy.access_token)).body.error.code).toBe('auth.session.revoked');
      const [row] = await t.dataSource.query(`SELECT status, revoked_reason FROM "${schema}".auth_sessions WHERE id = $1`, [cy.session_id]);
      expect(row).toEqual({ status: 'revoked', revoked_reason: 'logout' });
    });

    it("refuses a guest their sessions (session.*:self is the employee tier's)", async () => {
      const gia = await makeUser('gia', 'guest');
      expect((await me('GET', gia.access_token, '/sessions')).status).toBe(403);
      expect((await me('DELETE', gia.access_token, `/sessions/${gia.session_id}`)).status).toBe(403);
    });
  });
});
