import Redis from 'ioredis';
import { REDIS, deleteKeysWithPrefix } from '@credence/redis';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

const PASSWORD = 'a long enough password';

type Pair = { access_token: string; session_id: string; user: { id: string } };

/**
 * Redis loses the revocation marks (flush, or a restart without persistence): the rebuild from
 * Postgres must refuse every token that was refused before, whether its user logged out, had the
 * session revoked, was disabled or was deleted (whose session rows are gone with the user).
 */
describe('revocation marks rebuilt after Redis loses them', () => {
  let t: TestApp;
  let slug: string;
  let schema: string;
  let admin: Pair;
  let client: { client_id: string; client_secret: string };
  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '1000' });
    slug = uniqueSlug('rebuild');
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'root@rebuild.example', password: PASSWORD } });
    schema = `t_${res.body.id.replace(/-/g, '')}`;
    admin = await login('root@rebuild.example');
    client = (await t.call('POST', `/v1/t/${slug}/service-credentials`, { name: 'resource-server' }, { auth: admin.access_token })).body;
  });
  afterAll(() => t.close());

  async function login(email: string): Promise<Pair> {
    const res = await t.call('POST', `/v1/t/${slug}/auth/login`, { email, password: PASSWORD }, { auth: false });
    expect(res.status).toBe(200);
    return res.body;
  }
  async function signedInUser(email: string): Promise<Pair> {
    expect((await t.call('POST', `/v1/t/${slug}/users`, { email, password: PASSWORD }, { auth: admin.access_token })).status).toBe(201);
    return login(email);
  }
  async function introspect(token: string): Promise<boolean> {
    const basic = Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64');
    const res = await fetch(`${t.url}/v1/t/${slug}/auth/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { active: boolean }).active;
  }
  /** A route that only needs a valid token to get past authentication. */
  const onRoute = (token: string) => t.call('GET', `/v1/t/${slug}/sessions`, undefined, { auth: token });
  async function expectRefused(token: string): Promise<void> {
    expect(await introspect(token)).toBe(false);
    const res = await onRoute(token);
    expect([401, 403]).toContain(res.status);
    expect(res.body.error.code).toBe('auth.session.revoked');
  }
  async function loseRedisMarks(): Promise<void> {
    const redis = t.app.get<Redis>(REDIS);
    await deleteKeysWithPrefix(redis, `${t.config.REDIS_PREFIX}:revoked`);
    await deleteKeysWithPrefix(redis, `${t.config.REDIS_PREFIX}:revocation`);
    expect(await redis.exists(`${t.config.REDIS_PREFIX}:revocation:ready`)).toBe(0);
  }

  it("refuses logged-out, revoked, disabled and deleted users' tokens after a flush and rebuild, and still accepts a live one", async () => {
    const loggedOut = await signedInUser('out@rebuild.example');
    const revoked = await signedInUser('revoked@rebuild.example');
    const disabled = await signedInUser('disabled@rebuild.example');
    const deleted = await signedInUser('deleted@rebuild.example');
    const live = await signedInUser('live@rebuild.example');
    for (const p of [loggedOut, revoked, disabled, deleted, live]) expect(await introspect(p.access_token)).toBe(true);

    expect((await t.call('POST', `/v1/t/${slug}/auth/logout`, undefined, { auth: loggedOut.access_token })).status).toBe(204);
    expect((await t.call('DELETE', `/v1/t/${slug}/sessions/${revoked.session_id}`, undefined, { auth: admin.access_token })).status).toBe(204);
    expect((await t.call('POST', `/v1/t/${slug}/users/${disabled.user.id}/disable`, undefined, { auth: admin.access_token })).status).toBe(200);
    expect((await t.call('DELETE', `/v1/t/${slug}/users/${deleted.user.id}`, undefined, { auth: admin.access_token })).status).toBe(204);
    const ended = [loggedOut, revoked, disabled, deleted];
    for (const p of ended) await expectRefused(p.access_token);

    // The deleted user's session row went with the user; a tombstone keeps its revocation.
    expect(await t.dataSource.query(`SELECT 1 FROM "${schema}".auth_sessions WHERE id = $1`, [deleted.session_id])).toHaveLength(0);
    const [tomb] = await t.dataSource.query(
      `SELECT user_id, keep_until > now() + interval '86000 seconds' AS long_enough FROM "${schema}".revoked_session_tombstones WHERE session_id = $1`,
      [deleted.session_id],
    );
    expect(tomb).toEqual({ user_id: deleted.user.id, long_enough: true });

    await loseRedisMarks();
    for (const p of ended) await expectRefused(p.access_token);
    expect(await t.app.get<Redis>(REDIS).exists(`${t.config.REDIS_PREFIX}:revocation:ready`)).toBe(1);
    expect(await introspect(live.access_token)).toBe(true);
    expect((await onRoute(admin.access_token)).status).toBe(200);

    // Losing the marks again gives the same answers: the tombstone outlives a rebuild.
    await loseRedisMarks();
    for (const p of ended) await expectRefused(p.access_token);
  });

  it('keeps a tombstone for an ended session deleted by any path, and none for an active or long-finished one', async () => {
    const ended = await signedInUser('ended@rebuild.example');
    const active = await signedInUser('active@rebuild.example');
    const old = await login('ended@rebuild.example');
    expect((await t.call('POST', `/v1/t/${slug}/auth/logout`, undefined, { auth: ended.access_token })).status).toBe(204);
    expect((await t.call('POST', `/v1/t/${slug}/auth/logout`, undefined, { auth: old.access_token })).status).toBe(204);
    // A session whose last token was issued more than a day and a quarter-hour ago has no live token left.
    await t.dataSource.query(`UPDATE "${schema}".auth_sessions SET last_seen_at = now() - interval '2 days' WHERE id = $1`, [old.session_id]);
    const ids = [ended.session_id, active.session_id, old.session_id];
    await t.dataSource.query(`DELETE FROM "${schema}".auth_sessions WHERE id = ANY($1)`, [ids]);
    const tombs = await t.dataSource.query(`SELECT session_id FROM "${schema}".revoked_session_tombstones WHERE session_id = ANY($1)`, [ids]);
    expect(tombs).toEqual([{ session_id: ended.session_id }]);
    await loseRedisMarks();
    await expectRefused(ended.access_token);
  });
});
