import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { eventsOf, PASSWORD, Tenant } from './identity-authz-fixture';

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

type InvitedTenant = Tenant & { email: string; token: string };

/** A tenant onboarded without an admin password: its admin is invited, with a one-time token. */
async function invitedTenant(t: TestApp, prefix: string): Promise<InvitedTenant> {
  const slug = uniqueSlug(prefix);
  const email = `admin@${slug}.example`;
  const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email } });
  expect(res.status).toBe(201);
  expect(res.body.admin).toMatchObject({ status: 'invited', invite_token: expect.stringMatching(/^inv_/) });
  return { slug, id: res.body.id, schema: `t_${res.body.id.replace(/-/g, '')}`, adminId: res.body.admin.user_id, admin: '', email, token: res.body.admin.invite_token };
}

/** POST /v1/t/{tenant}/auth/invitations/accept: the invited first admin chooses a password and is signed in. */
describe('accepting an invitation', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Every request of this file comes from one address: the per-IP limit has its own test below.
    t = await startTestApp([AuthAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '1000' });
  });
  afterAll(() => t?.close());

  const invited = (prefix = 'inv') => invitedTenant(t, prefix);
  const accept = (slug: string, body: unknown) => t.call('POST', `/v1/t/${slug}/auth/invitations/accept`, body, { auth: false });
  const statusOf = async (tenant: Tenant) => (await t.dataSource.query(`SELECT status FROM "${tenant.schema}".users WHERE id = $1`, [tenant.adminId]))[0].status;

  it('sets the password, activates the admin and signs them in; the token then works no more', async () => {
    const tenant = await invited();
    expect((await t.call('POST', `/v1/t/${tenant.slug}/auth/login`, { email: tenant.email, password: PASSWORD }, { auth: false })).status).toBe(401);

    const res = await accept(tenant.slug, { token: tenant.token, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      refresh_token: expect.any(String),
      session_id: expect.any(String),
      user: { id: tenant.adminId, email: tenant.email },
    });
    expect(claims(res.body.access_token)).toMatchObject({ sub: tenant.adminId, tid: tenant.id, roles: ['tenant_admin'] });
    expect((await t.call('GET', `/v1/t/${tenant.slug}/me`, undefined, { auth: res.body.access_token })).status).toBe(200);
    expect(await statusOf(tenant)).toBe('active');

    const login = await t.call('POST', `/v1/t/${tenant.slug}/auth/login`, { email: tenant.email, password: PASSWORD }, { auth: false });
    expect(login.status).toBe(200);
    const [session] = await t.dataSource.query(`SELECT auth_method FROM "${tenant.schema}".auth_sessions WHERE id = $1`, [res.body.session_id]);
    expect(session.auth_method).toBe('local');

    const updated = (await eventsOf(t, tenant, 'user.updated')).filter((e) => e.data.user_id === tenant.adminId);
    expect(updated.map((e) => e.data.changed)).toEqual([['password', 'status']]);
    const signedIn = (await eventsOf(t, tenant, 'auth.login.succeeded')).map((e) => e.data);
    expect(signedIn).toContainEqual(expect.objectContaining({ user_id: tenant.adminId, session_id: res.body.session_id, auth_method: 'local' }));
    expect(JSON.stringify(await eventsOf(t, tenant))).not.toContain(tenant.token);

    const again = await accept(tenant.slug, { token: tenant.token, password: `${PASSWORD} again` });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('auth.invitation.invalid');
    // The password chosen first still holds.
    expect((await t.call('POST', `/v1/t/${tenant.slug}/auth/login`, { email: tenant.email, password: PASSWORD }, { auth: false })).status).toBe(200);
  });

  it("refuses a password the tenant's policy refuses, and leaves the token good", async () => {
    const tenant = await invited();
    const weak = await accept(tenant.slug, { token: tenant.token, password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('user.password_rejected');
    expect(await statusOf(tenant)).toBe('invited');
    expect((await accept(tenant.slug, { token: tenant.token, password: PASSWORD })).status).toBe(200);
  });

  it('signs in once when the same token arrives 20 times at once', async () => {
    const tenant = await invited();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => accept(tenant.slug, { token: tenant.token, password: `${PASSWORD} ${i}` })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    // The others lose the race for the token, or find the hashing queue full (503 with Retry-After): never a 500.
    for (const a of answers.filter((x) => x.status !== 200)) {
      expect([
        [400, 'auth.invitation.invalid'],
        [503, 'service.unavailable'],
      ]).toContainEqual([a.status, a.body.error.code]);
    }
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${tenant.schema}".auth_sessions WHERE user_id = $1`, [tenant.adminId]);
    expect(n).toBe(1);
    // The winner's password is the one that signs in.
    const winner = answers.findIndex((a) => a.status === 200);
    expect((await t.call('POST', `/v1/t/${tenant.slug}/auth/login`, { email: tenant.email, password: `${PASSWORD} ${winner}` }, { auth: false })).status).toBe(200);
  });

  it("does not accept one tenant's token at another tenant", async () => {
    const a = await invited('inva');
    const b = await invited('invb');
    const crossed = await accept(b.slug, { token: a.token, password: PASSWORD });
    expect(crossed.status).toBe(400);
    expect(crossed.body.error.code).toBe('auth.invitation.invalid');
    expect(await statusOf(a)).toBe('invited');
    expect(await statusOf(b)).toBe('invited');
    expect((await accept(a.slug, { token: a.token, password: PASSWORD })).status).toBe(200);
  });

  it('refuses an expired token, and one whose user was disabled meanwhile (who stays disabled)', async () => {
    const expired = await invited();
    await t.dataSource.query(`UPDATE "${expired.schema}".user_invites SET expires_at = now() - interval '1 second'`);
    expect((await accept(expired.slug, { token: expired.token, password: PASSWORD })).body.error.code).toBe('auth.invitation.invalid');
    expect(await statusOf(expired)).toBe('invited');

    const disabled = await invited();
    await t.dataSource.query(`UPDATE "${disabled.schema}".users SET status = 'disabled' WHERE id = $1`, [disabled.adminId]);
    const res = await accept(disabled.slug, { token: disabled.token, password: PASSWORD });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('auth.invitation.invalid');
    expect(await statusOf(disabled)).toBe('disabled');
    const [{ used }] = await t.dataSource.query(`SELECT used_at IS NOT NULL AS used FROM "${disabled.schema}".user_invites`);
    expect(used).toBe(false);
  });

  it('refuses at a suspended tenant, and accepts once it is resumed', async () => {
    const tenant = await invited();
    expect((await t.call('POST', `/v1/admin/tenants/${tenant.slug}/suspend`)).status).toBe(200);
    const res = await accept(tenant.slug, { token: tenant.token, password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('tenant.suspended');
    expect(await statusOf(tenant)).toBe('invited');
    expect((await t.call('POST', `/v1/admin/tenants/${tenant.slug}/resume`)).status).toBe(200);
    expect((await accept(tenant.slug, { token: tenant.token, password: PASSWORD })).status).toBe(200);
  });

  it('answers hostile bodies with a clear 400 and changes nothing', async () => {
    const tenant = await invited();
    const cases: [unknown, string][] = [
      [{ token: tenant.token }, 'validation.failed'],
      [{ password: PASSWORD }, 'validation.failed'],
      [{ token: 'x'.repeat(201), password: PASSWORD }, 'validation.failed'],
      [{ token: ['a'], password: PASSWORD }, 'validation.failed'],
      [{ token: { $ne: null }, password: PASSWORD }, 'validation.failed'],
      [{ token: 'inv_\u0000', password: PASSWORD }, 'validation.failed'],
      [{ token: `${tenant.token}x`, password: PASSWORD }, 'auth.invitation.invalid'],
      [{ token: tenant.token.toUpperCase(), password: PASSWORD }, 'auth.invitation.invalid'],
      [{ token: JSON.parse(`${'{"a":'.repeat(500)}1${'}'.repeat(500)}`), password: PASSWORD }, 'request.malformed'],
    ];
    for (const [body, code] of cases) {
      const res = await accept(tenant.slug, body);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status: 400, code });
    }
    expect(await statusOf(tenant)).toBe('invited');
    expect((await accept('no-such-tenant', { token: tenant.token, password: PASSWORD })).status).toBe(404);
  });
});

describe('a new invitation from the platform admin (POST /v1/admin/tenants/{slug}/invitations)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
  });
  afterAll(() => t?.close());

  const reinvite = (slug: string, body: unknown, auth?: string) => t.call('POST', `/v1/admin/tenants/${slug}/invitations`, body, auth === undefined ? {} : { auth });
  const accept = (slug: string, token: string, password = PASSWORD) => t.call('POST', `/v1/t/${slug}/auth/invitations/accept`, { token, password }, { auth: false });

  it('gives an invited admin whose token expired a new one; the old one stops working and the new one signs in', async () => {
    const tenant = await invitedTenant(t, 'reinv');
    await t.dataSource.query(`UPDATE "${tenant.schema}".user_invites SET expires_at = now() - interval '1 second'`);
    expect((await accept(tenant.slug, tenant.token)).body.error.code).toBe('auth.invitation.invalid');

    const res = await reinvite(tenant.slug, { email: tenant.email.toUpperCase() });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ user_id: tenant.adminId, email: tenant.email, status: 'invited', invite_token: expect.stringMatching(/^inv_/), expires_at: expect.any(String) });
    expect(new Date(res.body.expires_at).getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600_000);
    const [event] = (await t.dataSource.query(`SELECT event FROM platform.outbox WHERE tenant_id = $1 AND type = 'user.invited'`, [tenant.id])).map(
      (r: { event: unknown }) => r.event,
    );
    expect(event).toMatchObject({ data: { user_id: tenant.adminId, expires_at: res.body.expires_at }, actor: expect.stringMatching(/^platform-admin:/) });
    expect(JSON.stringify(event)).not.toContain(res.body.invite_token);

    // A second re-invitation replaces the first: only the newest token works.
    const newest = await reinvite(tenant.slug, { email: tenant.email });
    expect((await accept(tenant.slug, res.body.invite_token)).body.error.code).toBe('auth.invitation.invalid');
    expect((await accept(tenant.slug, newest.body.invite_token)).status).toBe(200);
  });

  it('issues one good token when asked 20 times at once: every other is spent', async () => {
    const tenant = await invitedTenant(t, 'reinvp');
    const answers = await Promise.all(Array.from({ length: 20 }, () => reinvite(tenant.slug, { email: tenant.email })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    const [{ pending }] = await t.dataSource.query(`SELECT count(*)::int AS pending FROM "${tenant.schema}".user_invites WHERE used_at IS NULL`);
    expect(pending).toBe(1);
    const results = await Promise.all(answers.map((a) => accept(tenant.slug, a.body.invite_token)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it('refuses an active user, an unknown address, a tenant that is not active, and callers without tenants:write', async () => {
    const tenant = await invitedTenant(t, 'reinv');
    const unknown = await reinvite(tenant.slug, { email: `nobody@${tenant.slug}.example` });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'user.not_found']);
    for (const body of [
      {},
      { email: 'not an address' },
      { email: ['a@b.example'] },
      { email: `admin\u0000@${tenant.slug}.example` },
      { email: `${'a'.repeat(250)}@x.example` },
    ]) {
      const res = await reinvite(tenant.slug, body);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status: 400, code: 'validation.failed' });
    }
    // Another tenant's invited admin is not a user of this one.
    const other = await invitedTenant(t, 'reinvx');
    expect((await reinvite(tenant.slug, { email: other.email })).status).toBe(404);
    expect((await accept(other.slug, other.token)).status).toBe(200);

    const key = await t.call('POST', '/v1/admin/api-keys', { name: 'reader', scopes: ['tenants:read'] });
    expect((await reinvite(tenant.slug, { email: tenant.email }, key.body.secret)).status).toBe(403);
    expect((await reinvite(tenant.slug, { email: tenant.email }, false as never)).status).toBe(401);

    expect((await t.call('POST', `/v1/admin/tenants/${tenant.slug}/suspend`)).status).toBe(200);
    const suspended = await reinvite(tenant.slug, { email: tenant.email });
    expect([suspended.status, suspended.body.error.code]).toEqual([409, 'tenant.invalid_state']);
    expect((await t.call('POST', `/v1/admin/tenants/${tenant.slug}/resume`)).status).toBe(200);

    const signedIn = await accept(tenant.slug, tenant.token);
    expect(signedIn.status).toBe(200);
    const active = await reinvite(tenant.slug, { email: tenant.email });
    expect([active.status, active.body.error.code]).toEqual([409, 'user.not_invited']);
    // Nothing was issued for the active user: no token of theirs is pending.
    const [{ pending }] = await t.dataSource.query(`SELECT count(*)::int AS pending FROM "${tenant.schema}".user_invites WHERE used_at IS NULL`);
    expect(pending).toBe(0);
    expect((await reinvite('no-such-tenant', { email: tenant.email })).status).toBe(404);
  });
});

describe('accepting an invitation, per-IP limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => t?.close());

  it('answers 429 with Retry-After past LOGIN_IP_LIMIT_PER_MINUTE guesses, before looking the token up', async () => {
    const { slug, schema, adminId, token } = await invitedTenant(t, 'invlim');
    const accept = (body: unknown) => t.call('POST', `/v1/t/${slug}/auth/invitations/accept`, body, { auth: false });
    for (let i = 0; i < 3; i++) expect((await accept({ token: `inv_guess${i}`, password: PASSWORD })).body.error.code).toBe('auth.invitation.invalid');
    const limited = await accept({ token, password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('auth.rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const [{ status }] = await t.dataSource.query(`SELECT status FROM "${schema}".users WHERE id = $1`, [adminId]);
    expect(status).toBe('invited');
  });
});
