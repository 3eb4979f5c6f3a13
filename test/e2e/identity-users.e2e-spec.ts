import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { eventsOf, login, onboard, PASSWORD, Tenant } from './identity-authz-fixture';

/** The users API as a tenant admin sees it: CRUD, uniqueness, password policy, lists, status changes, events. */
describe('users API', () => {
  let t: TestApp;
  let acme: Tenant;
  const users = () => `/v1/t/${acme.slug}/users`;
  const as = (token: string) => ({ auth: token });
  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '100000' });
    acme = await onboard(t, 'users', { password_min_length: 14 });
  });
  afterAll(() => t.close());

  describe('create, read, update, delete', () => {
    let id: string;
    it('creates an active user and emits user.created without password material', async () => {
      const res = await t.call(
        'POST',
        users(),
        { email: 'Grace@Acme.example', username: 'grace', display_name: 'Grace Hopper', password: PASSWORD, attributes: { department: 'eng' } },
        as(acme.admin),
      );
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        email: 'Grace@Acme.example',
        username: 'grace',
        display_name: 'Grace Hopper',
        status: 'active',
        attributes: { department: 'eng' },
        roles: [],
        phone: null,
      });
      expect(JSON.stringify(res.body)).not.toContain('password');
      id = res.body.id;
      const [ev] = await eventsOf(t, acme, 'user.created');
      expect(ev).toMatchObject({ subject: `user/${id}`, data: { user_id: id, email: 'Grace@Acme.example', username: 'grace', status: 'active' } });
      expect(JSON.stringify(ev)).not.toMatch(/password|argon2/i);
      const [row] = await t.dataSource.query(`SELECT password_hash FROM "${acme.schema}".users WHERE id = $1`, [id]);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect(await t.dataSource.query(`SELECT 1 FROM "${acme.schema}".password_history WHERE user_id = $1`, [id])).toHaveLength(1);
      expect(await login(t, acme.slug, 'grace@acme.example')).toBeTruthy();
    });

    it('reads it back', async () => {
      const res = await t.call('GET', `${users()}/${id}`, undefined, as(acme.admin));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, username: 'grace' });
    });

    it('refuses an e-mail that differs only in case, and a taken username, with 409 naming the field', async () => {
      const email = await t.call('POST', users(), { email: 'GRACE@acme.EXAMPLE', password: PASSWORD }, as(acme.admin));
      expect(email.status).toBe(409);
      expect(email.body.error).toMatchObject({ code: 'user.already_exists', details: [{ field: 'email' }] });
      const username = await t.call('POST', users(), { email: 'other@acme.example', username: 'GRACE' }, as(acme.admin));
      expect(username.status).toBe(409);
      expect(username.body.error.details).toEqual([expect.objectContaining({ field: 'username' })]);
      expect(await t.dataSource.query(`SELECT 1 FROM "${acme.schema}".users WHERE lower(email) = 'other@acme.example'`)).toHaveLength(0);
    });

    it('updates fields, merges attributes, and names only what changed in user.updated', async () => {
      const res = await t.call(
        'PATCH',
        `${users()}/${id}`,
        { display_name: 'Rear Admiral Hopper', username: null, attributes: { location: 'DC', department: null } },
        as(acme.admin),
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ display_name: 'Rear Admiral Hopper', username: null, attributes: { location: 'DC' } });
      expect(res.body.attributes).not.toHaveProperty('department');
      const again = await t.call('PATCH', `${users()}/${id}`, { display_name: 'Rear Admiral Hopper' }, as(acme.admin));
      expect(again.status).toBe(200);
      const evs = await eventsOf(t, acme, 'user.updated');
      expect(evs.map((e) => e.data)).toEqual([{ user_id: id, changed: ['username', 'display_name', 'attributes'] }]);
    });

    it('takes an id in upper case as the same user, and publishes it in lower case', async () => {
      const res = await t.call('PATCH', `${users()}/${id.toUpperCase()}`, { display_name: 'Grace H.' }, as(acme.admin));
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(id);
      const [last] = (await eventsOf(t, acme, 'user.updated')).slice(-1);
      expect([last.subject, last.data.user_id]).toEqual([`user/${id}`, id]);
    });

    it('refuses an update to an e-mail another user has', async () => {
      const other = await t.call('POST', users(), { email: 'taken@acme.example' }, as(acme.admin));
      const res = await t.call('PATCH', `${users()}/${id}`, { email: 'TAKEN@acme.example' }, as(acme.admin));
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('user.already_exists');
      expect((await t.call('GET', `${users()}/${other.body.id}`, undefined, as(acme.admin))).body.email).toBe('taken@acme.example');
    });

    it('deletes the user (204, user.deleted); it is gone afterwards', async () => {
      const res = await t.call('DELETE', `${users()}/${id}`, undefined, as(acme.admin));
      expect(res.status).toBe(204);
      expect((await t.call('GET', `${users()}/${id}`, undefined, as(acme.admin))).body.error.code).toBe('user.not_found');
      expect((await t.call('DELETE', `${users()}/${id}`, undefined, as(acme.admin))).status).toBe(404);
      expect((await eventsOf(t, acme, 'user.deleted')).map((e) => e.data)).toEqual([{ user_id: id }]);
    });
  });

  describe('password policy', () => {
    const rejected = (res: { status: number; body: any }, issue: RegExp) => {
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('user.password_rejected');
      expect(res.body.error.details).toEqual([{ field: 'password', issue: expect.stringMatching(issue) }]);
    };

    it("refuses a password shorter than the tenant's password_min_length (14 here)", async () => {
      rejected(await t.call('POST', users(), { email: 'short@acme.example', password: 'thirteen char' }, as(acme.admin)), /at least 14 characters/);
      expect(await t.dataSource.query(`SELECT 1 FROM "${acme.schema}".users WHERE email = 'short@acme.example'`)).toHaveLength(0);
    });

    it('refuses a common or breached password, whatever its case', async () => {
      rejected(await t.call('POST', users(), { email: 'weak@acme.example', password: 'Qwerty123456789' }, as(acme.admin)), /too common/);
      rejected(await t.call('POST', users(), { email: 'weak@acme.example', password: '1QAZ2WSX3EDC4RFV' }, as(acme.admin)), /too common/);
    });

    it('refuses control characters (tab, line break, DEL): the sign-in page cannot send them', async () => {
      for (const password of ['tab\tseparated secret', 'two line\r\nsecret phrase', 'escape\u001b[0m secret']) {
        rejected(await t.call('POST', users(), { email: 'control@acme.example', password }, as(acme.admin)), /control characters/);
      }
      const created = await t.call('POST', users(), { email: 'control@acme.example', password: PASSWORD }, as(acme.admin));
      rejected(await t.call('PATCH', `${users()}/${created.body.id}`, { password: 'a password\u007fwith DEL' }, as(acme.admin)), /control characters/);
      // NUL is refused before any route, like everywhere else in a body.
      const nul = await t.call('POST', users(), { email: 'control@acme.example', password: 'nul\u0000terminated secret' }, as(acme.admin));
      expect(nul.status).toBe(400);
      expect(nul.body.error.code).toBe('validation.failed');
    });

    it('activates an invited user an admin sets a password for, and spends the pending invitation', async () => {
      const [{ id }] = await t.dataSource.query(
        `INSERT INTO "${acme.schema}".users (id, email, status) VALUES (gen_random_uuid(), 'invitee@acme.example', 'invited') RETURNING id`,
      );
      await t.dataSource.query(
        `INSERT INTO "${acme.schema}".user_invites (token_hash, user_id, expires_at) VALUES (sha256(gen_random_uuid()::text::bytea), $1, now() + interval '1 day')`,
        [id],
      );
      const res = await t.call('PATCH', `${users()}/${id}`, { password: PASSWORD }, as(acme.admin));
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('active');
      expect(await login(t, acme.slug, 'invitee@acme.example')).toBeTruthy();
      const pending = await t.dataSource.query(`SELECT 1 FROM "${acme.schema}".user_invites WHERE user_id = $1 AND used_at IS NULL`, [id]);
      expect(pending).toHaveLength(0);
    });

    it('refuses the current password and the last five, and accepts the sixth back', async () => {
      const pw = (i: number) => `rotating secret number ${i}`;
      const created = await t.call('POST', users(), { email: 'rotor@acme.example', password: pw(0) }, as(acme.admin));
      const path = `${users()}/${created.body.id}`;
      rejected(await t.call('PATCH', path, { password: pw(0) }, as(acme.admin)), /used recently/);
      for (let i = 1; i <= 5; i++) expect((await t.call('PATCH', path, { password: pw(i) }, as(acme.admin))).status).toBe(200);
      for (const i of [1, 3, 5]) rejected(await t.call('PATCH', path, { password: pw(i) }, as(acme.admin)), /used recently/);
      // pw(0) is now six passwords back
      expect((await t.call('PATCH', path, { password: pw(0) }, as(acme.admin))).status).toBe(200);
      expect(await t.dataSource.query(`SELECT 1 FROM "${acme.schema}".password_history WHERE user_id = $1`, [created.body.id])).toHaveLength(5);
      expect(await login(t, acme.slug, 'rotor@acme.example', pw(0))).toBeTruthy();
      const changes = (await eventsOf(t, acme, 'user.updated')).filter((e) => e.data.user_id === created.body.id);
      expect(changes).toHaveLength(6);
      expect(changes.map((e) => e.data)).toEqual(Array(6).fill({ user_id: created.body.id, changed: ['password'] }));
    });
  });

  describe('lists', () => {
    let tenant: Tenant;
    const ids: string[] = [];
    beforeAll(async () => {
      tenant = await onboard(t, 'list');
      for (let i = 0; i < 5; i++) {
        const res = await t.call(
          'POST',
          `/v1/t/${tenant.slug}/users`,
          { email: `p${i}@list.example`, username: `person-${i}`, display_name: i % 2 ? 'Odd One' : 'Even One' },
          { auth: tenant.admin },
        );
        ids.push(res.body.id);
      }
      await t.call('POST', `/v1/t/${tenant.slug}/users/${ids[1]}/disable`, undefined, { auth: tenant.admin });
      await t.call('POST', `/v1/t/${tenant.slug}/users/${ids[2]}/roles/manager`, undefined, { auth: tenant.admin });
    });
    const list = async (query: string) => {
      const res = await t.call('GET', `/v1/t/${tenant.slug}/users?${query}`, undefined, { auth: tenant.admin });
      expect(res.status).toBe(200);
      return res.body;
    };

    it('pages with a cursor, each user once, in creation order', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const body = await list(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(body.data.length).toBeLessThanOrEqual(2);
        seen.push(...body.data.map((u: { id: string }) => u.id));
        cursor = body.meta.next_cursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([tenant.adminId, ...ids]);
    });

    it('filters by status, role and text', async () => {
      expect((await list('status=disabled')).data.map((u: { id: string }) => u.id)).toEqual([ids[1]]);
      expect((await list('role=manager')).data.map((u: { id: string }) => u.id)).toEqual([ids[2]]);
      expect((await list('role=tenant_admin')).data.map((u: { id: string }) => u.id)).toEqual([tenant.adminId]);
      expect((await list('q=odd')).data.map((u: { id: string }) => u.id)).toEqual([ids[1], ids[3]]);
      expect((await list('q=PERSON-4')).data.map((u: { id: string }) => u.id)).toEqual([ids[4]]);
      expect((await list('q=p3%40list')).data.map((u: { id: string }) => u.id)).toEqual([ids[3]]);
      expect((await list('q=%25')).data).toEqual([]);
      expect((await list('status=active&q=one')).data.map((u: { id: string }) => u.id)).toEqual([ids[0], ids[2], ids[3], ids[4]]);
    });
  });

  describe('disable and enable', () => {
    it('disables (user.disabled, sessions revoked, login refused) and enables again', async () => {
      const created = await t.call('POST', users(), { email: 'temp@acme.example', password: PASSWORD }, as(acme.admin));
      const id = created.body.id;
      await t.call('POST', `${users()}/${id}/roles/director`, undefined, as(acme.admin));
      const token = await login(t, acme.slug, 'temp@acme.example');
      expect((await t.call('GET', `${users()}/${id}`, undefined, as(token))).status).toBe(200);

      const disabled = await t.call('POST', `${users()}/${id}/disable`, undefined, as(acme.admin));
      expect(disabled.status).toBe(200);
      expect(disabled.body.status).toBe('disabled');
      expect((await t.call('POST', `${users()}/${id}/disable`, undefined, as(acme.admin))).status).toBe(200);
      expect((await eventsOf(t, acme, 'user.disabled')).map((e) => e.data)).toEqual([{ user_id: id, email: 'temp@acme.example', username: null, status: 'disabled' }]);
      const refused = await t.call('GET', `${users()}/${id}`, undefined, as(token));
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('auth.session.revoked');
      const sessions = await t.dataSource.query(`SELECT status, revoked_reason FROM "${acme.schema}".auth_sessions WHERE user_id = $1`, [id]);
      expect(sessions).toEqual([{ status: 'revoked', revoked_reason: 'user_disabled' }]);
      const relogin = await t.call('POST', `/v1/t/${acme.slug}/auth/login`, { email: 'temp@acme.example', password: PASSWORD }, { auth: false });
      expect(relogin.status).not.toBe(200);

      const enabled = await t.call('POST', `${users()}/${id}/enable`, undefined, as(acme.admin));
      expect(enabled.body.status).toBe('active');
      expect((await eventsOf(t, acme, 'user.enabled')).map((e) => e.data.user_id)).toEqual([id]);
      const fresh = await login(t, acme.slug, 'temp@acme.example');
      expect((await t.call('GET', `${users()}/${id}`, undefined, as(fresh))).status).toBe(200);
    });

    it('serializes concurrent updates of one user: every change lands, one event each', async () => {
      const created = await t.call('POST', users(), { email: 'busy@acme.example' }, as(acme.admin));
      const id = created.body.id;
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => t.call('PATCH', `${users()}/${id}`, { attributes: { [`k${i}`]: i } }, as(acme.admin))));
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
      const final = await t.call('GET', `${users()}/${id}`, undefined, as(acme.admin));
      expect(final.body.attributes).toEqual(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, i])));
      expect((await eventsOf(t, acme, 'user.updated')).filter((e) => e.data.user_id === id)).toHaveLength(8);
    });
  });
});
