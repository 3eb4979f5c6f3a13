import { randomUUID } from 'node:crypto';
import { TenantRef } from '@credence/context';
import { signEs256, SigningKeyStore } from '@credence/identity';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { freePort } from '../support/child-platform';
import { OwnRedis } from '../support/own-redis';

const PASSWORD = 'a long enough password';
const FORM = 'application/x-www-form-urlencoded';

interface Client {
  client_id: string;
  client_secret: string;
  id: string;
}

type Pair = { access_token: string; refresh_token: string; session_id: string; user: { id: string } };

/** Helpers shared by both suites: a tenant with an admin, a service credential, and form requests. */
function harness(get: () => TestApp) {
  const onboard = async (prefix: string) => {
    const t = get();
    const slug = uniqueSlug(prefix);
    const email = `admin@${slug}.example`;
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email, password: PASSWORD } });
    const tenant: TenantRef = { id: res.body.id, slug, schema: `t_${res.body.id.replace(/-/g, '')}` };
    const login = async (): Promise<Pair> => (await t.call('POST', `/v1/t/${slug}/auth/login`, { email, password: PASSWORD }, { auth: false })).body;
    const admin = await login();
    const client: Client = (await t.call('POST', `/v1/t/${slug}/service-credentials`, { name: 'resource-server' }, { auth: admin.access_token })).body;
    return { tenant, login, admin, client };
  };
  const basic = (c: { client_id: string; client_secret: string }) =>
    `Basic ${Buffer.from(`${encodeURIComponent(c.client_id)}:${encodeURIComponent(c.client_secret)}`).toString('base64')}`;
  /** POSTs a form body (the RFCs' encoding) to introspect or revoke. */
  const post = async (slug: string, route: 'introspect' | 'revoke', fields: Record<string, string> | string, headers: Record<string, string> = {}) => {
    const body = typeof fields === 'string' ? fields : new URLSearchParams(fields).toString();
    const res = await fetch(`${get().url}/v1/t/${slug}/auth/${route}`, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  return { onboard, basic, post };
}

describe('token introspection (RFC 7662) and revocation (RFC 7009)', () => {
  let t: TestApp;
  const h = harness(() => t);
  let a: Awaited<ReturnType<typeof h.onboard>>;
  let b: Awaited<ReturnType<typeof h.onboard>>;
  let ipCounter = 0;
  let ip = '';
  beforeEach(() => (ip = `203.0.113.${++ipCounter}`));

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { TRUSTED_PROXIES: '127.0.0.1' });
    a = await h.onboard('intro');
    b = await h.onboard('intro-b');
  });
  afterAll(() => t.close());

  const introspect = (token: string, extra: Record<string, string> = {}) =>
    h.post(a.tenant.slug, 'introspect', { token, ...extra }, { authorization: h.basic(a.client), 'x-forwarded-for': ip });
  const revoke = (token: string, extra: Record<string, string> = {}) =>
    h.post(a.tenant.slug, 'revoke', { token, ...extra }, { authorization: h.basic(a.client), 'x-forwarded-for': ip });
  const guarded = (pair: Pair) => t.call('GET', `/v1/t/${a.tenant.slug}/service-credentials`, undefined, { auth: pair.access_token });

  it('describes a valid access token of this tenant', async () => {
    const pair = await a.login();
    const res = await introspect(pair.access_token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const claims = JSON.parse(Buffer.from(pair.access_token.split('.')[1], 'base64url').toString());
    expect(res.body).toEqual({
      active: true,
      token_type: 'access_token',
      sub: pair.user.id,
      tid: a.tenant.id,
      sid: pair.session_id,
      jti: claims.jti,
      iss: `${t.config.CREDENCE_BASE_URL}/v1/t/${a.tenant.slug}`,
      aud: claims.aud,
      exp: claims.exp,
      iat: claims.iat,
      nbf: claims.nbf,
      roles: ['tenant_admin'],
    });
    // The hint is only a hint; client_secret_post and JSON bodies work too.
    const hinted = await introspect(pair.access_token, { token_type_hint: 'refresh_token' });
    expect(hinted.body.active).toBe(true);
    const posted = await t.call(
      'POST',
      `/v1/t/${a.tenant.slug}/auth/introspect`,
      { token: pair.access_token, client_id: a.client.client_id, client_secret: a.client.client_secret },
      { auth: false, headers: { 'x-forwarded-for': ip } },
    );
    expect(posted.status).toBe(200);
    expect(posted.body.active).toBe(true);
    const [row] = await t.dataSource.query(`SELECT last_used_at FROM "${a.tenant.schema}".service_credentials WHERE id = $1`, [a.client.id]);
    expect(row.last_used_at).not.toBeNull();
  });

  it('answers active:false for another tenant’s, expired, forged and garbage tokens', async () => {
    const foreign = await b.login();
    const keys = { signing: await t.app.get(SigningKeyStore).signingKeyFor(a.tenant) };
    const now = Math.floor(Date.now() / 1000);
    const iss = `${t.config.CREDENCE_BASE_URL}/v1/t/${a.tenant.slug}`;
    const base = { iss, aud: iss, sub: randomUUID(), tid: a.tenant.id, sid: randomUUID(), jti: randomUUID(), roles: [] };
    const expired = signEs256({ alg: 'ES256', typ: 'at+jwt', kid: keys.signing.kid }, { ...base, iat: now - 7200, exp: now - 3600 }, keys.signing.key);
    const live = signEs256({ alg: 'ES256', typ: 'at+jwt', kid: keys.signing.kid }, { ...base, iat: now, exp: now + 600 }, keys.signing.key);
    expect((await introspect(live)).body.active).toBe(true); // control: the forging helper itself is sound
    const tampered = `${live.split('.').slice(0, 2).join('.')}.${Buffer.alloc(64, 1).toString('base64url')}`;
    for (const token of [foreign.access_token, foreign.refresh_token, expired, tampered, 'garbage', 'a.b.c', `crt_${'x'.repeat(43)}`]) {
      const res = await introspect(token);
      expect([token.slice(0, 12), res.status, res.body]).toEqual([token.slice(0, 12), 200, { active: false }]);
    }
    // The other tenant's token is still active at its own tenant.
    const home = await h.post(b.tenant.slug, 'introspect', { token: foreign.access_token }, { authorization: h.basic(b.client), 'x-forwarded-for': ip });
    expect(home.body.active).toBe(true);
  });

  it('says active:false within a second of logout', async () => {
    const pair = await a.login();
    expect((await introspect(pair.access_token)).body.active).toBe(true);
    expect((await t.call('POST', `/v1/t/${a.tenant.slug}/auth/logout`, undefined, { auth: pair.access_token })).status).toBe(204);
    const started = Date.now();
    const res = await introspect(pair.access_token);
    expect(res.body).toEqual({ active: false });
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await introspect(pair.refresh_token)).body).toEqual({ active: false });
  });

  it('describes a refresh token while its row and session are active', async () => {
    const pair = await a.login();
    const res = await introspect(pair.refresh_token, { token_type_hint: 'refresh_token' });
    expect(res.body).toEqual({
      active: true,
      token_type: 'refresh_token',
      sub: pair.user.id,
      tid: a.tenant.id,
      sid: pair.session_id,
      iss: `${t.config.CREDENCE_BASE_URL}/v1/t/${a.tenant.slug}`,
      exp: expect.any(Number),
      iat: expect.any(Number),
    });
    expect(res.body.exp).toBeGreaterThan(Date.now() / 1000);
    // Rotation spends it; the new one is active.
    const next = (await t.call('POST', `/v1/t/${a.tenant.slug}/auth/token/refresh`, { refresh_token: pair.refresh_token }, { auth: false })).body;
    expect((await introspect(pair.refresh_token)).body).toEqual({ active: false });
    expect((await introspect(next.refresh_token)).body.active).toBe(true);
    // A session past its idle timeout no longer counts, even before anything marks it expired.
    await t.dataSource.query(`UPDATE "${a.tenant.schema}".auth_sessions SET idle_expires_at = now() - interval '1 second' WHERE id = $1`, [pair.session_id]);
    expect((await introspect(next.refresh_token)).body).toEqual({ active: false });
  });

  it('revokes an access token by its jti: refused everywhere at once, recorded, one event', async () => {
    const pair = await a.login();
    const jti = JSON.parse(Buffer.from(pair.access_token.split('.')[1], 'base64url').toString()).jti;
    const res = await revoke(pair.access_token, { token_type_hint: 'access_token' });
    expect(res.status).toBe(200);
    expect(res.body).toBeUndefined();
    expect((await introspect(pair.access_token)).body).toEqual({ active: false });
    expect((await guarded(pair)).status).toBe(401);
    const [row] = await t.dataSource.query(`SELECT session_id, reason FROM "${a.tenant.schema}".revoked_access_tokens WHERE jti = $1`, [jti]);
    expect(row).toEqual({ session_id: pair.session_id, reason: 'revoked_by_service' });
    expect((await revoke(pair.access_token)).status).toBe(200);
    const events = await t.dataSource.query(`SELECT event FROM platform.outbox WHERE aggregate = $1 AND type = 'auth.token.revoked'`, [`session/${pair.session_id}`]);
    expect(events.map((e: { event: { data: unknown; actor: string } }) => [e.event.data, e.event.actor])).toEqual([
      [{ session_id: pair.session_id, user_id: pair.user.id, jti, reason: 'revoked_by_service' }, `service:${a.client.id}`],
    ]);
    // Only that token: the session and its refresh token live on.
    expect((await introspect(pair.refresh_token)).body.active).toBe(true);
  });

  it('revokes a refresh token with its whole session', async () => {
    const pair = await a.login();
    expect((await revoke(pair.refresh_token)).status).toBe(200);
    const [session] = await t.dataSource.query(`SELECT status, revoked_reason FROM "${a.tenant.schema}".auth_sessions WHERE id = $1`, [pair.session_id]);
    expect(session).toEqual({ status: 'revoked', revoked_reason: 'revoked_by_service' });
    expect((await introspect(pair.access_token)).body).toEqual({ active: false });
    const refreshed = await t.call('POST', `/v1/t/${a.tenant.slug}/auth/token/refresh`, { refresh_token: pair.refresh_token }, { auth: false });
    expect(refreshed.body.error.code).toBe('auth.session.revoked');
    expect((await revoke(pair.refresh_token)).status).toBe(200);
  });

  it('answers 200 for unknown, garbage and other tenants’ tokens and changes nothing', async () => {
    const foreign = await b.login();
    const count = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM platform.outbox WHERE tenant_id IN ($1, $2)`, [a.tenant.id, b.tenant.id]))[0].n;
    const before = await count();
    for (const token of ['garbage', `crt_${'y'.repeat(43)}`, foreign.access_token, foreign.refresh_token]) {
      const res = await revoke(token);
      expect([token.slice(0, 12), res.status]).toEqual([token.slice(0, 12), 200]);
    }
    expect(await count()).toBe(before);
    const home = await h.post(b.tenant.slug, 'introspect', { token: foreign.access_token }, { authorization: h.basic(b.client), 'x-forwarded-for': ip });
    expect(home.body.active).toBe(true);
  });

  it('answers 401 auth.invalid_client with WWW-Authenticate: Basic for a bad client', async () => {
    const pair = await a.login();
    const revoked = (await t.call('POST', `/v1/t/${a.tenant.slug}/service-credentials`, { name: 'retired' }, { auth: a.admin.access_token })).body;
    await t.call('DELETE', `/v1/t/${a.tenant.slug}/service-credentials/${revoked.id}`, undefined, { auth: a.admin.access_token });
    const attempts: Record<string, string>[] = [
      {},
      { authorization: h.basic({ ...a.client, client_secret: `${a.client.client_secret}x` }) },
      { authorization: h.basic({ client_id: 'csc_nobody', client_secret: a.client.client_secret }) },
      { authorization: h.basic(revoked) },
      { authorization: h.basic(b.client) },
      { authorization: `Bearer ${pair.access_token}` },
      { authorization: 'Basic !!!' },
      // Characters no client id has, raw and form-encoded inside Basic (the input guards see only the header's base64).
      { authorization: `Basic ${Buffer.from('csc_a\u0000b:x').toString('base64')}` },
      { authorization: `Basic ${Buffer.from('csc_a%00b:x').toString('base64')}` },
      { authorization: `Basic ${Buffer.from('csc_a%0Ab:x').toString('base64')}` },
    ];
    for (const headers of attempts) {
      for (const route of ['introspect', 'revoke'] as const) {
        const res = await h.post(a.tenant.slug, route, { token: pair.access_token }, { ...headers, 'x-forwarded-for': ip });
        expect([route, headers, res.status, res.body.error.code]).toEqual([route, headers, 401, 'auth.invalid_client']);
        expect(res.headers.get('www-authenticate')).toBe('Basic realm="credence"');
      }
    }
    const wrongPost = await h.post(a.tenant.slug, 'introspect', { token: pair.access_token, client_id: a.client.client_id, client_secret: 'nope' }, { 'x-forwarded-for': ip });
    expect(wrongPost.status).toBe(401);
    // Nothing was revoked by the refused revocations.
    expect((await introspect(pair.access_token)).body.active).toBe(true);
  });

  it('limits failed client authentications per client id and address, without letting others lock a service out', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await h.post(
        a.tenant.slug,
        'introspect',
        { token: 'x' },
        { authorization: h.basic({ client_id: a.client.client_id, client_secret: `guess-${i}` }), 'x-forwarded-for': '192.0.2.77' },
      );
      statuses.push(res.status);
      if (i === 10) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    // The same client id from its own address still works: client ids are public, a stranger's guesses must not block it.
    expect((await introspect('x')).status).toBe(200);
  });

  it('limits failed client authentications per IP address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const res = await h.post(
        a.tenant.slug,
        'introspect',
        { token: 'x' },
        { authorization: h.basic({ client_id: `csc_spray_${i}`, client_secret: 'guess' }), 'x-forwarded-for': ip },
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(30).fill(401), 429]);
  });

  it('refuses bad input with the error envelope and revokes nothing', async () => {
    const pair = await a.login();
    const auth = { authorization: h.basic(a.client), 'x-forwarded-for': ip };
    const bad: (Record<string, string> | string)[] = [
      {},
      { token: '' },
      { token: pair.access_token, token_type_hint: 'id_token' },
      { token: pair.access_token, scope: 'x' },
      `token=${pair.refresh_token}&token=${pair.access_token}`,
    ];
    for (const route of ['introspect', 'revoke'] as const) {
      for (const fields of bad) {
        const res = await h.post(a.tenant.slug, route, fields, auth);
        // A repeated parameter is refused by the form parser itself (RFC 6749 §3.1), before validation.
        const code = typeof fields === 'string' ? 'request.malformed' : 'validation.failed';
        expect([route, fields, res.status, res.body.error.code]).toEqual([route, fields, 400, code]);
      }
      const both = await h.post(a.tenant.slug, route, { token: pair.access_token, client_id: a.client.client_id, client_secret: a.client.client_secret }, auth);
      expect(both.status).toBe(400);
      const text = await fetch(`${t.url}/v1/t/${a.tenant.slug}/auth/${route}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/plain' },
        body: `token=${pair.access_token}`,
      });
      expect(text.status).toBe(415);
      const array = await t.call('POST', `/v1/t/${a.tenant.slug}/auth/${route}`, [pair.access_token], { auth: false, headers: auth });
      expect(array.status).toBe(400);
    }
    const unknownTenant = await h.post('no-such-tenant-intro', 'introspect', { token: pair.access_token }, auth);
    expect(unknownTenant.status).toBe(404);
    expect((await introspect(pair.access_token)).body.active).toBe(true);
    expect((await introspect(pair.refresh_token)).body.active).toBe(true);
  });
});

describe('introspection when Redis is unreachable', () => {
  let redis: OwnRedis;
  let t: TestApp;
  const h = harness(() => t);

  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    t = await startTestApp([AuthAppModule], { REDIS_URL: redis.url });
  });
  afterAll(async () => {
    // Queues wait for Redis to close cleanly: give them one back before shutting down.
    await redis.start();
    await t.close();
    await redis.destroy();
  });

  it('answers 503 service.unavailable, never active:true', async () => {
    const { tenant, client, admin } = await h.onboard('intro-down');
    expect((await h.post(tenant.slug, 'introspect', { token: admin.access_token }, { authorization: h.basic(client) })).body.active).toBe(true);
    await redis.kill();
    for (const route of ['introspect', 'revoke'] as const) {
      const res = await h.post(tenant.slug, route, { token: admin.access_token }, { authorization: h.basic(client) });
      expect([route, res.status, res.body.error?.code]).toEqual([route, 503, 'service.unavailable']);
    }
  });
});
