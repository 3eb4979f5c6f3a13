import { randomBytes } from 'node:crypto';
import { sha256 } from '@credence/crypto';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { REDIS } from '@credence/redis';
import { waitFor } from '../support/child-platform';

const PASSWORD = 'a long enough password';

describe('password login, refresh and logout', () => {
  let t: TestApp;
  let slug: string;
  let tenantId: string;
  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    slug = uniqueSlug('login');
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'Ada@Login.example', password: PASSWORD } });
    expect(res.status).toBe(201);
    tenantId = res.body.id;
  });
  afterAll(() => t.close());

  const login = (body: Record<string, unknown>, headers: Record<string, string> = {}) => t.call('POST', `/v1/t/${slug}/auth/login`, body, { auth: false, headers });

  it('signs in with e-mail (case-insensitive) and answers the token pair and the user', async () => {
    const res = await login({ email: 'ada@login.example', password: PASSWORD }, { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, user: { email: 'Ada@Login.example' } });
    // The session id (no dashes), then 256 random bits.
    expect(res.body.refresh_token).toBe(`crt_${res.body.session_id.replace(/-/g, '')}.${res.body.refresh_token.slice(37)}`);
    expect(res.body.refresh_token).toMatch(/^crt_[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/);
    const [header, payload] = res.body.access_token
      .split('.')
      .slice(0, 2)
      .map((p: string) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(payload).toMatchObject({ tid: tenantId, sub: res.body.user.id, sid: res.body.session_id, roles: ['tenant_admin'], iss: `${t.config.CREDENCE_BASE_URL}/v1/t/${slug}` });
    expect(payload.exp - payload.iat).toBe(900);
    const schema = `t_${tenantId.replace(/-/g, '')}`;
    const [session] = await t.dataSource.query(`SELECT auth_method, device_type, status, ip FROM "${schema}".auth_sessions WHERE id = $1`, [res.body.session_id]);
    expect(session).toMatchObject({ auth_method: 'local', device_type: 'mobile', status: 'active', ip: '127.0.0.1' });
    const events = await t.dataSource.query(`SELECT type FROM platform.outbox WHERE tenant_id = $1 AND event->>'subject' IN ($2, $3) ORDER BY position`, [
      tenantId,
      `session/${res.body.session_id}`,
      `user/${res.body.user.id}`,
    ]);
    expect(events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['auth.session.created', 'auth.token.issued', 'auth.login.succeeded']));
  });

  it('answers wrong password and unknown user the same way', async () => {
    const wrong = await login({ email: 'ada@login.example', password: 'not the password' });
    const unknown = await login({ email: 'nobody@login.example', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.code).toBe('auth.invalid_credentials');
    expect(unknown.body.error.code).toBe('auth.invalid_credentials');
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it('rotates the refresh token on every use', async () => {
    const first = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    const second = await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: first.refresh_token }, { auth: false });
    expect(second.status).toBe(200);
    expect(second.body.session_id).toBe(first.session_id);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    const third = await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: second.body.refresh_token }, { auth: false });
    expect(third.status).toBe(200);
  });

  it('still rotates a refresh token of the earlier form (no session id in it), into the new form, with reuse detection', async () => {
    const first = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    // A token as the build before session ids were carried issued it: stored by its hash only.
    const earlier = `crt_${randomBytes(32).toString('base64url')}`;
    const schema = `t_${tenantId.replace(/-/g, '')}`;
    await t.dataSource.query(`UPDATE "${schema}".refresh_tokens SET token_hash = $1 WHERE token_hash = $2`, [sha256(earlier), sha256(first.refresh_token)]);
    const next = await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: earlier }, { auth: false });
    expect(next.status).toBe(200);
    expect(next.body.session_id).toBe(first.session_id);
    expect(next.body.refresh_token.startsWith(`crt_${first.session_id.replace(/-/g, '')}.`)).toBe(true);
    const reuse = await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: earlier }, { auth: false });
    expect(reuse.body.error.code).toBe('auth.token.reuse_detected');
  });

  it('refuses a refresh token whose session id was changed, as unknown, and changes nothing', async () => {
    const mine = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    const other = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    const forged = `crt_${other.session_id.replace(/-/g, '')}.${mine.refresh_token.slice(37)}`;
    for (const token of [forged, `crt_${'0'.repeat(32)}.${mine.refresh_token.slice(37)}`, `crt_${mine.refresh_token.slice(37)}`]) {
      const res = await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: token }, { auth: false });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('auth.token.invalid');
    }
    for (const pair of [mine, other]) expect((await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: pair.refresh_token }, { auth: false })).status).toBe(200);
  });

  it('revokes the whole family when a rotated refresh token comes back', async () => {
    const first = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    const second = (await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: first.refresh_token }, { auth: false })).body;
    const reuse = await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: first.refresh_token }, { auth: false });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('auth.token.reuse_detected');
    const newest = await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: second.refresh_token }, { auth: false });
    expect(newest.status).toBe(401);
    expect(newest.body.error.code).toBe('auth.session.revoked');
    expect(newest.headers.get('www-authenticate')).toBeNull();
    const guarded = await t.call('POST', `/v1/t/${slug}/auth/logout-all`, undefined, { auth: second.access_token });
    expect(guarded.status).toBe(401);
    expect(guarded.body.error.code).toBe('auth.session.revoked');
    const events = await t.dataSource.query(`SELECT type FROM platform.outbox WHERE tenant_id = $1 AND event->>'subject' = $2 ORDER BY position`, [
      tenantId,
      `session/${first.session_id}`,
    ]);
    expect(events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['auth.session.revoked', 'auth.token.reuse_detected']));
  });

  it("records a sign-in's session and access token in events whose deadlines and token id are the session row's and the token's", async () => {
    const pair = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    const claims = JSON.parse(Buffer.from(pair.access_token.split('.')[1], 'base64url').toString());
    const schema = `t_${tenantId.replace(/-/g, '')}`;
    const [session] = await t.dataSource.query(`SELECT idle_expires_at, absolute_expires_at FROM "${schema}".auth_sessions WHERE id = $1`, [pair.session_id]);
    const rows = await t.dataSource.query(`SELECT type, event FROM platform.outbox WHERE tenant_id = $1 AND event->>'subject' = $2 ORDER BY position`, [
      tenantId,
      `session/${pair.session_id}`,
    ]);
    expect(rows.map((r: { type: string }) => r.type)).toEqual(['auth.session.created', 'auth.token.issued']);
    // The statement that started the session put its deadlines in, in the events' ISO form (milliseconds, Z).
    expect(rows[0].event.data).toMatchObject({
      session_id: pair.session_id,
      user_id: pair.user.id,
      auth_method: 'local',
      idle_expires_at: new Date(session.idle_expires_at).toISOString(),
      absolute_expires_at: new Date(session.absolute_expires_at).toISOString(),
    });
    expect(rows[1].event.data).toEqual({ session_id: pair.session_id, user_id: pair.user.id, jti: claims.jti, expires_at: new Date(claims.exp * 1000).toISOString() });
    const succeeded = await t.dataSource.query(`SELECT event FROM platform.outbox WHERE tenant_id = $1 AND type = 'auth.login.succeeded' AND event->'data'->>'session_id' = $2`, [
      tenantId,
      pair.session_id,
    ]);
    // The sign-in's own event, written by the same statement.
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0].event.data).toMatchObject({ session_id: pair.session_id, user_id: pair.user.id, auth_method: 'local' });
  });

  it("records each rotation as one auth.token.refreshed event naming the session's user and the new access token", async () => {
    const first = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    const second = (await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: first.refresh_token }, { auth: false })).body;
    expect((await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: first.refresh_token }, { auth: false })).status).toBe(401);
    const claims = JSON.parse(Buffer.from(second.access_token.split('.')[1], 'base64url').toString());
    const rows = await t.dataSource.query(`SELECT aggregate, event FROM platform.outbox WHERE tenant_id = $1 AND type = 'auth.token.refreshed' AND event->>'subject' = $2`, [
      tenantId,
      `session/${first.session_id}`,
    ]);
    // The reused token's refusal wrote none: one rotation, one event, its user id put in by the rotation statement.
    expect(rows).toHaveLength(1);
    expect(rows[0].aggregate).toBe(`session/${first.session_id}`);
    expect(rows[0].event).toMatchObject({
      type: 'auth.token.refreshed',
      tenantid: tenantId,
      data: { session_id: first.session_id, user_id: first.user.id, jti: claims.jti, expires_at: new Date(claims.exp * 1000).toISOString() },
    });
    expect(claims.sub).toBe(first.user.id);
  });

  it('rotates a refresh token in place on its page (HOT): the update touches no indexed column', async () => {
    // A tenant of its own, so that no other test's updates reach these statistics.
    const hotSlug = uniqueSlug('hot');
    const created = await t.call('POST', '/v1/admin/tenants', { slug: hotSlug, name: hotSlug, admin: { email: 'hot@login.example', password: PASSWORD } });
    expect(created.status).toBe(201);
    const schema = `t_${created.body.id.replace(/-/g, '')}`;
    let pair = (await t.call('POST', `/v1/t/${hotSlug}/auth/login`, { email: 'hot@login.example', password: PASSWORD }, { auth: false })).body;
    for (let i = 0; i < 10; i++) pair = (await t.call('POST', `/v1/t/${hotSlug}/auth/token/refresh`, { refresh_token: pair.refresh_token }, { auth: false })).body;
    expect(pair.refresh_token).toBeDefined();
    // Statistics reach pg_stat_user_tables when the backends next report them (within seconds).
    const counts = await waitFor('the rotations in the statistics', async () => {
      const [row] = await t.dataSource.query(
        `SELECT n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'refresh_tokens'`,
        [schema],
      );
      return row?.upd >= 10 && (row as { upd: number; hot: number });
    });
    expect(counts).toEqual({ upd: 10, hot: 10 });
  });

  it('gives exactly one new pair for 20 concurrent refreshes of one token, and revokes the family', async () => {
    const first = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: first.refresh_token }, { auth: false })),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(results.filter((r) => r.status === 401 && r.body.error.code === 'auth.token.reuse_detected').length).toBeGreaterThanOrEqual(1);
    const schema = `t_${tenantId.replace(/-/g, '')}`;
    const tokens = await t.dataSource.query(`SELECT status FROM "${schema}".refresh_tokens WHERE session_id = $1 ORDER BY created_at`, [first.session_id]);
    // One rotation happened (two tokens in the family), then the family was revoked as a whole.
    expect(tokens.map((r: { status: string }) => r.status)).toEqual(['revoked', 'revoked']);
    const [session] = await t.dataSource.query(`SELECT status, revoked_reason FROM "${schema}".auth_sessions WHERE id = $1`, [first.session_id]);
    expect(session).toEqual({ status: 'revoked', revoked_reason: 'refresh_token_reuse' });
  });

  it('logout revokes this session: its access token is refused at once, its refresh token too', async () => {
    const pair = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    const other = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    expect((await t.call('POST', `/v1/t/${slug}/auth/logout`, undefined, { auth: pair.access_token })).status).toBe(204);
    const again = await t.call('POST', `/v1/t/${slug}/auth/logout-all`, undefined, { auth: pair.access_token });
    expect(again.status).toBe(401);
    const refresh = await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: pair.refresh_token }, { auth: false });
    expect(refresh.status).toBe(401);
    expect(refresh.body.error.code).toBe('auth.session.revoked');
    // Another session of the same user is untouched.
    expect((await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: other.refresh_token }, { auth: false })).status).toBe(200);
  });

  it('logout-all revokes every session of the user', async () => {
    const a = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    const b = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    const res = await t.call('POST', `/v1/t/${slug}/auth/logout-all`, undefined, { auth: a.access_token });
    expect(res.status).toBe(200);
    expect(res.body.revoked_sessions).toBeGreaterThanOrEqual(2);
    for (const token of [a.access_token, b.access_token]) {
      expect((await t.call('POST', `/v1/t/${slug}/auth/logout`, undefined, { auth: token })).status).toBe(401);
    }
  });

  it('revokes sessions while one of them is being refreshed without a deadlock: the refresh is refused, never a 500', async () => {
    // logout-all is held after locking the first session (the test holds the second); a refresh of the first then
    // locks its token and waits for the session. Revoking took the session before the token, a refresh the token
    // before the session: Postgres broke the cycle by aborting one of the two (500).
    const first = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    const second = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    const schema = `t_${tenantId.replace(/-/g, '')}`;
    const blockedBy = async (pid: number): Promise<number> => {
      for (let i = 0; i < 500; i++) {
        const [row] = await t.dataSource.query(`SELECT pid FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))`, [pid]);
        if (row) return row.pid;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`nothing waited for ${pid}`);
    };
    const holder = t.dataSource.createQueryRunner();
    await holder.connect();
    try {
      await holder.startTransaction();
      const [{ pid }] = await holder.query(`SELECT pg_backend_pid() AS pid`);
      await holder.query(`SELECT 1 FROM "${schema}".auth_sessions WHERE id = $1 FOR UPDATE`, [second.session_id]);
      const revoking = t.call('POST', `/v1/t/${slug}/auth/logout-all`, undefined, { auth: first.access_token });
      const revoker = await blockedBy(pid);
      const refreshing = t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: first.refresh_token }, { auth: false });
      await blockedBy(revoker);
      await holder.commitTransaction();
      const [revoked, refreshed] = await Promise.all([revoking, refreshing]);
      expect(revoked.status).toBe(200);
      expect(refreshed.status).toBe(401);
      expect(refreshed.body.error.code).toBe('auth.session.revoked');
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
  });

  it.each([
    ['idle', `idle_expires_at = now() - interval '1 second'`],
    ['absolute', `absolute_expires_at = now() - interval '1 second'`],
  ])('ends a session past its %s timeout: refresh answers auth.token.expired and the session is expired', async (_kind, change) => {
    const pair = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    const schema = `t_${tenantId.replace(/-/g, '')}`;
    await t.dataSource.query(`UPDATE "${schema}".auth_sessions SET ${change} WHERE id = $1`, [pair.session_id]);
    const res = await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: pair.refresh_token }, { auth: false });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth.token.expired');
    const [session] = await t.dataSource.query(`SELECT status FROM "${schema}".auth_sessions WHERE id = $1`, [pair.session_id]);
    expect(session.status).toBe('expired');
    // Its access token stops working too.
    expect((await t.call('POST', `/v1/t/${slug}/auth/logout-all`, undefined, { auth: pair.access_token })).status).toBe(401);
  });

  it('moves the idle deadline forward on refresh, never past the absolute one', async () => {
    const pair = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    const schema = `t_${tenantId.replace(/-/g, '')}`;
    await t.dataSource.query(
      `UPDATE "${schema}".auth_sessions SET idle_expires_at = now() + interval '1 minute', absolute_expires_at = now() + interval '1 hour' WHERE id = $1`,
      [pair.session_id],
    );
    expect((await t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: pair.refresh_token }, { auth: false })).status).toBe(200);
    const [s] = await t.dataSource.query(`SELECT idle_expires_at = absolute_expires_at AS capped FROM "${schema}".auth_sessions WHERE id = $1`, [pair.session_id]);
    expect(s.capped).toBe(true);
  });

  it('rebuilds revocation marks from Postgres when Redis lost them, before accepting tokens again', async () => {
    const pair = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    expect((await t.call('POST', `/v1/t/${slug}/auth/logout`, undefined, { auth: pair.access_token })).status).toBe(204);
    const redis = t.app.get<import('ioredis').default>(REDIS);
    const keys = await redis.keys(`${t.config.REDIS_PREFIX}:revoked:*`);
    await redis.del(...keys, `${t.config.REDIS_PREFIX}:revocation:ready`);
    const res = await t.call('POST', `/v1/t/${slug}/auth/logout-all`, undefined, { auth: pair.access_token });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth.session.revoked');
    expect(await redis.exists(`${t.config.REDIS_PREFIX}:revocation:ready`)).toBe(1);
    // The marks came back from Postgres: the revoked session's and its token's.
    const [jti] = await t.dataSource.query(`SELECT jti FROM "t_${tenantId.replace(/-/g, '')}".revoked_access_tokens WHERE session_id = $1`, [pair.session_id]);
    expect(await redis.exists(`${t.config.REDIS_PREFIX}:revoked:sid:${pair.session_id}`, `${t.config.REDIS_PREFIX}:revoked:jti:${jti.jti}`)).toBe(2);
    // And a token that was never revoked is accepted again.
    const fresh = (await login({ email: 'ada@login.example', password: PASSWORD })).body;
    expect((await t.call('POST', `/v1/t/${slug}/auth/logout`, undefined, { auth: fresh.access_token })).status).toBe(204);
  });
});

describe('a tenant whose signing key was sealed with another key-encryption key', () => {
  let sealer: TestApp;
  let other: TestApp;
  let slug: string;
  beforeAll(async () => {
    sealer = await startTestApp([AuthAppModule]);
    slug = uniqueSlug('kek');
    expect((await sealer.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'ada@kek.example', password: PASSWORD } })).status).toBe(201);
    // A second installation on the same database with a key-encryption key of its own (a misconfigured deployment).
    other = await startTestApp([AuthAppModule], { CREDENCE_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
  });
  afterAll(async () => {
    await other?.close();
    await sealer?.close();
  });

  it("answers sign-in and refresh with tenant.keys_unreadable in the error envelope, writes nothing, and still verifies the tenant's tokens", async () => {
    const res = await other.call('POST', `/v1/t/${slug}/auth/login`, { email: 'ada@kek.example', password: PASSWORD }, { auth: false });
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({ code: 'tenant.keys_unreadable', message: "The tenant's signing key cannot be opened." });
    expect(res.body.error.trace_id).toEqual(expect.any(String));
    const [{ id }] = await other.dataSource.query(`SELECT id FROM platform.tenants WHERE slug = $1`, [slug]);
    const [{ n }] = await other.dataSource.query(`SELECT count(*)::int AS n FROM "t_${id.replace(/-/g, '')}".auth_sessions`);
    expect(n).toBe(0);

    // The installation holding the right key signs; the other still verifies what it signed (public keys only).
    const pair = (await sealer.call('POST', `/v1/t/${slug}/auth/login`, { email: 'ada@kek.example', password: PASSWORD }, { auth: false })).body;
    expect((await other.call('GET', `/v1/t/${slug}/me`, undefined, { auth: pair.access_token })).status).toBe(200);
    expect((await other.call('GET', `/v1/t/${slug}/.well-known/jwks.json`, undefined, { auth: false })).status).toBe(200);
    // A refresh there is refused before the token is spent: it still works where the key can be opened.
    const refused = await other.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: pair.refresh_token }, { auth: false });
    expect(refused.body.error.code).toBe('tenant.keys_unreadable');
    expect((await sealer.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: pair.refresh_token }, { auth: false })).status).toBe(200);
  });
});
