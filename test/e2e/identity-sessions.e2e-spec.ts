import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { waitFor } from '../support/child-platform';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

const PASSWORD = 'a long enough password 1';

/** Sessions API (own, department, any) and signing-key rotation, as users with different tiers see them. */
describe('sessions and keys', () => {
  let t: TestApp;
  let slug: string;
  let admin: { access_token: string; session_id: string; user: { id: string } };
  const users: Record<string, { id: string; login: () => Promise<any> }> = {};

  const login = async (email: string) => {
    const res = await t.call('POST', `/v1/t/${slug}/auth/login`, { email, password: PASSWORD }, { auth: false });
    expect(res.status).toBe(200);
    return res.body;
  };
  const makeUser = async (name: string, role: string, department: string) => {
    const email = `${name}@sess.example`;
    const res = await t.call('POST', `/v1/t/${slug}/users`, { email, password: PASSWORD, attributes: { department } }, { auth: admin.access_token });
    expect(res.status).toBe(201);
    const assigned = await t.call('POST', `/v1/t/${slug}/users/${res.body.id}/roles/${role}`, undefined, { auth: admin.access_token });
    expect([200, 201, 204]).toContain(assigned.status);
    users[name] = { id: res.body.id, login: () => login(email) };
  };

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    slug = uniqueSlug('sess');
    await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'admin@sess.example', password: PASSWORD } });
    admin = await login('admin@sess.example');
    await makeUser('emma', 'employee', 'sales');
    await makeUser('eric', 'employee', 'sales');
    await makeUser('mona', 'manager', 'sales');
    await makeUser('otto', 'employee', 'ops');
  });
  afterAll(() => t.close());

  it("lists the caller's own sessions, marking the current one", async () => {
    const a = await users.emma.login();
    await users.emma.login();
    const res = await t.call('GET', `/v1/t/${slug}/sessions`, undefined, { auth: a.access_token });
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBe(2);
    expect(res.body.data.every((s: { user_id: string }) => s.user_id === users.emma.id)).toBe(true);
    expect(res.body.data.filter((s: { current: boolean }) => s.current).map((s: { id: string }) => s.id)).toEqual([a.session_id]);
  });

  it("shows an employee only their own sessions, even when asking for someone else's", async () => {
    const e = await users.eric.login();
    const res = await t.call('GET', `/v1/t/${slug}/sessions?user_id=${users.emma.id}`, undefined, { auth: e.access_token });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
  });

  it('shows a manager the sessions of their department only', async () => {
    await users.otto.login();
    const m = await users.mona.login();
    const res = await t.call('GET', `/v1/t/${slug}/sessions?limit=100`, undefined, { auth: m.access_token });
    const owners = new Set(res.body.data.map((s: { user_id: string }) => s.user_id));
    expect(owners.has(users.emma.id)).toBe(true);
    expect(owners.has(users.otto.id)).toBe(false);
  });

  it("shows a tenant admin anyone's sessions, filtered by user, page by page", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await t.call('GET', `/v1/t/${slug}/sessions?user_id=${users.emma.id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`, undefined, {
        auth: admin.access_token,
      });
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((s: { id: string }) => s.id));
      cursor = res.body.meta.next_cursor;
    } while (cursor);
    expect(seen.length).toBe(2);
    expect(new Set(seen).size).toBe(2);
  });

  it("lets a user revoke their own session but not another user's; an admin can revoke anyone's", async () => {
    const e1 = await users.eric.login();
    const emma = await users.emma.login();
    const denied = await t.call('DELETE', `/v1/t/${slug}/sessions/${emma.session_id}`, undefined, { auth: e1.access_token });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('authz.access.denied');
    const e2 = await users.eric.login();
    expect((await t.call('DELETE', `/v1/t/${slug}/sessions/${e2.session_id}`, undefined, { auth: e1.access_token })).status).toBe(204);
    expect((await t.call('GET', `/v1/t/${slug}/sessions`, undefined, { auth: e2.access_token })).status).toBe(401);
    expect((await t.call('DELETE', `/v1/t/${slug}/sessions/${emma.session_id}`, undefined, { auth: admin.access_token })).status).toBe(204);
    const refused = await t.call('GET', `/v1/t/${slug}/sessions`, undefined, { auth: emma.access_token });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('auth.session.revoked');
  });

  it('lists a session past its idle or absolute deadline as expired, not active, before anyone refreshes it', async () => {
    const a = await users.otto.login();
    const idle = await users.otto.login();
    const absolute = await users.otto.login();
    const [{ schema_name: schema }] = await t.dataSource.query('SELECT schema_name FROM platform.tenants WHERE slug = $1', [slug]);
    await t.dataSource.query(`UPDATE "${schema}".auth_sessions SET idle_expires_at = now() - interval '1 second' WHERE id = $1`, [idle.session_id]);
    await t.dataSource.query(`UPDATE "${schema}".auth_sessions SET absolute_expires_at = now() - interval '1 second' WHERE id = $1`, [absolute.session_id]);
    const active = await t.call('GET', `/v1/t/${slug}/sessions?limit=100`, undefined, { auth: a.access_token });
    const activeIds = active.body.data.map((s: { id: string }) => s.id);
    expect(activeIds).toContain(a.session_id);
    expect(activeIds).not.toContain(idle.session_id);
    expect(activeIds).not.toContain(absolute.session_id);
    const expired = await t.call('GET', `/v1/t/${slug}/sessions?status=expired&limit=100`, undefined, { auth: a.access_token });
    const listed = expired.body.data.filter((s: { id: string }) => [idle.session_id, absolute.session_id].includes(s.id));
    expect(listed.map((s: { status: string }) => s.status)).toEqual(['expired', 'expired']);
  });

  it('answers 404 session.not_found for an unknown or malformed id', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      const res = await t.call('DELETE', `/v1/t/${slug}/sessions/${id}`, undefined, { auth: admin.access_token });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('session.not_found');
    }
  });

  it('rejects bad list filters', async () => {
    for (const q of ['status=gone', 'user_id=me', 'limit=0', 'cursor=%24%24']) {
      const res = await t.call('GET', `/v1/t/${slug}/sessions?${q}`, undefined, { auth: admin.access_token });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation.failed');
    }
  });

  it('disabling a user ends their sessions at once', async () => {
    const o = await users.otto.login();
    const res = await t.call('POST', `/v1/t/${slug}/users/${users.otto.id}/disable`, undefined, { auth: admin.access_token });
    expect([200, 204]).toContain(res.status);
    const refused = await t.call('GET', `/v1/t/${slug}/sessions`, undefined, { auth: o.access_token });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('auth.session.revoked');
  });

  it('rotates signing keys with overlap: old tokens keep working, new ones use the new key; employees cannot rotate', async () => {
    const before = await users.eric.login();
    const denied = await t.call('POST', `/v1/t/${slug}/keys/rotate`, undefined, { auth: before.access_token });
    expect(denied.status).toBe(403);
    const fresh = await login('admin@sess.example');
    const rotated = await t.call('POST', `/v1/t/${slug}/keys/rotate`, undefined, { auth: fresh.access_token });
    expect(rotated.status).toBe(200);
    const jwks = (await t.call('GET', `/v1/t/${slug}/.well-known/jwks.json`, undefined, { auth: false })).body;
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([rotated.body.kid, ...rotated.body.retired]);
    expect((await t.call('GET', `/v1/t/${slug}/sessions`, undefined, { auth: before.access_token })).status).toBe(200);
    const after = await users.eric.login();
    const kid = JSON.parse(Buffer.from(after.access_token.split('.')[0], 'base64url').toString()).kid;
    expect(kid).toBe(rotated.body.kid);
    const discovery = (await t.call('GET', `/v1/t/${slug}/.well-known/openid-configuration`, undefined, { auth: false })).body;
    expect(discovery).toMatchObject({ issuer: `${t.config.CREDENCE_BASE_URL}/v1/t/${slug}`, jwks_uri: `${t.config.CREDENCE_BASE_URL}/v1/t/${slug}/.well-known/jwks.json` });
  });
});

describe('automatic key rotation by age', () => {
  it('rotates a key older than SIGNING_KEY_ROTATE_AFTER_DAYS once it next signs, keeping the old one verifying', async () => {
    const slug = uniqueSlug('age');
    const setup = await startTestApp([AuthAppModule]);
    const created = await setup.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'a@age.example', password: PASSWORD } });
    const schema = `t_${created.body.id.replace(/-/g, '')}`;
    const [{ kid: oldKid }] = await setup.dataSource.query(`SELECT kid FROM "${schema}".signing_keys WHERE status = 'active'`);
    await setup.dataSource.query(`UPDATE "${schema}".signing_keys SET created_at = now() - interval '3 days'`);
    await setup.close();
    // A fresh process: its key cache has not seen this tenant yet.
    const t = await startTestApp([AuthAppModule], { SIGNING_KEY_ROTATE_AFTER_DAYS: '2' });
    try {
      const signIn = async () => (await t.call('POST', `/v1/t/${slug}/auth/login`, { email: 'a@age.example', password: PASSWORD }, { auth: false })).body;
      const kidOf = (pair: { access_token: string }) => JSON.parse(Buffer.from(pair.access_token.split('.')[0], 'base64url').toString()).kid;
      // This signature still uses the old key (valid), and starts the rotation in the background.
      const first = await signIn();
      expect(kidOf(first)).toBe(oldKid);
      await waitFor(
        'the rotation',
        async () => (await t.dataSource.query(`SELECT 1 FROM "${schema}".signing_keys WHERE status = 'active' AND kid <> $1`, [oldKid])).length === 1,
      );
      await new Promise((r) => setTimeout(r, 50));
      const kid = kidOf(await signIn());
      expect(kid).not.toBe(oldKid);
      expect((await t.call('GET', `/v1/t/${slug}/sessions`, undefined, { auth: first.access_token })).status).toBe(200);
      const keys = await t.dataSource.query(`SELECT kid, status FROM "${schema}".signing_keys ORDER BY created_at`);
      expect(keys).toEqual([
        { kid: oldKid, status: 'retiring' },
        { kid, status: 'active' },
      ]);
      const events = await t.dataSource.query(`SELECT event FROM platform.outbox WHERE type = 'auth.signing_key.rotated' AND tenant_id = $1`, [created.body.id]);
      expect(events[0].event.data).toMatchObject({ kid, previous: [oldKid] });
    } finally {
      await t.close();
    }
  });
});
