import { createHash, randomBytes } from 'node:crypto';
import { RequestContext } from '@credence/context';
import { clientInfo, SigningKeyStore, signEs256 } from '@credence/identity';
import { CompleteInteraction, InteractionStore } from '@credence/oauth';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { eventsOf, member, onboard, Tenant } from './identity-authz-fixture';

const CALLBACK = 'https://app.example.com/cb';
const AFTER_LOGOUT = 'https://app.example.com/bye';
const challengeOf = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/**
 * The authorization endpoint and RP-initiated logout: error pages before the redirect URI is trusted,
 * errors back to the app after, interactions for a browser without a session, codes at once with one
 * (single sign-on) unless the app asks for a fresh sign-in, and logout that ends the browser session.
 */
describe('oauth2 authorize and logout', () => {
  let t: TestApp;
  let acme: Tenant;
  let other: Tenant;
  let app: { client_id: string; client_secret: string };
  let context: RequestContext;

  const issuer = (tenant: Tenant) => `${t.config.CREDENCE_BASE_URL}/v1/t/${tenant.slug}`;
  const params = (over: Record<string, string | undefined> = {}) => {
    const p: Record<string, string | undefined> = {
      response_type: 'code',
      client_id: app.client_id,
      redirect_uri: CALLBACK,
      scope: 'openid email',
      state: 'st-123',
      nonce: 'n-456',
      code_challenge: challengeOf('v'.repeat(50)),
      code_challenge_method: 'S256',
      ...over,
    };
    return new URLSearchParams(Object.entries(p).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  };
  const get = (path: string, cookie?: string) => fetch(`${t.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const authorize = (over: Record<string, string | undefined> = {}, cookie?: string, tenant: Tenant = acme) =>
    get(`/v1/t/${tenant.slug}/oauth2/authorize?${params(over)}`, cookie);
  const cookieFrom = (res: Response, name: string) => {
    const line = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
    return line ? { value: line.split(';')[0].slice(name.length + 1), line } : undefined;
  };
  const inTenant = <T>(tenant: Tenant, fn: () => Promise<T>) => context.runWith({ tenant: { id: tenant.id, slug: tenant.slug, schema: tenant.schema } }, fn);

  /** Signs a user in the way the hosted page does: an interaction from /authorize, completed. Returns the session cookie. */
  async function signIn(userId: string, tenant: Tenant = acme): Promise<string> {
    const res = await authorize({}, undefined, tenant);
    const binding = cookieFrom(res, 'credence_binding')!.value;
    const interactionId = new URL(res.headers.get('location')!, t.url).searchParams.get('interaction')!;
    const done = await inTenant(tenant, () =>
      t.app.get(CompleteInteraction).execute(interactionId, binding, { userId, method: 'local' }, clientInfo({ ip: '127.0.0.1', headers: {} })),
    );
    return `credence_session=${done.sessionCookie!.value}`;
  }

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    context = t.app.get(RequestContext);
    acme = await onboard(t, 'oauth-az');
    other = await onboard(t, 'oauth-az-other');
    const res = await t.call(
      'POST',
      `/v1/t/${acme.slug}/applications`,
      { name: 'Web', type: 'confidential', redirect_uris: [CALLBACK], post_logout_redirect_uris: [AFTER_LOGOUT] },
      { auth: acme.admin },
    );
    expect(res.status).toBe(201);
    app = res.body;
  });
  afterAll(() => t.close());

  it('shows an error page, never a redirect, for an unknown client or an unregistered redirect_uri', async () => {
    for (const over of [
      { client_id: 'cac_unknown' },
      { client_id: undefined },
      { redirect_uri: 'https://evil.example/cb' },
      { redirect_uri: `${CALLBACK}/` },
      { redirect_uri: undefined },
    ]) {
      const res = await authorize(over);
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(await res.text()).not.toContain('evil.example');
    }
    // The client of another tenant is unknown here.
    expect((await authorize({}, undefined, other)).status).toBe(400);
  });

  it('sends protocol errors back to the registered redirect_uri with state and iss', async () => {
    const cases: [Record<string, string | undefined>, string][] = [
      [{ code_challenge: undefined }, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge_method: undefined }, 'invalid_request'],
      [{ code_challenge: 'short' }, 'invalid_request'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ prompt: 'none' }, 'login_required'],
      [{ prompt: 'none login' }, 'invalid_request'],
      [{ max_age: '-1' }, 'invalid_request'],
      [{ connection: '0190a3f0-0000-7000-8000-000000000000' }, 'invalid_request'],
      [{ request: 'eyJ' }, 'request_not_supported'],
    ];
    for (const [over, error] of cases) {
      const res = await authorize(over);
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
      expect(location.searchParams.get('error')).toBe(error);
      expect(location.searchParams.get('state')).toBe('st-123');
      expect(location.searchParams.get('iss')).toBe(issuer(acme));
      expect(location.searchParams.get('code')).toBeNull();
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('refuses a repeated parameter (RFC 6749 §3.1)', async () => {
    const res = await get(`/v1/t/${acme.slug}/oauth2/authorize?${params()}&code_challenge=${challengeOf('x'.repeat(50))}`);
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
  });

  it('sends a browser without a session to the hosted login page, with an interaction bound to its cookie', async () => {
    const res = await authorize({ login_hint: 'someone@example.com' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!, t.url);
    expect(location.pathname).toBe(`/v1/t/${acme.slug}/login`);
    const binding = cookieFrom(res, 'credence_binding')!;
    expect(binding.line).toMatch(/HttpOnly/i);
    expect(binding.line).toMatch(/SameSite=Lax/i);
    expect(binding.line).toContain(`Path=/v1/t/${acme.slug}/`);
    const store = t.app.get(InteractionStore);
    const id = location.searchParams.get('interaction')!;
    const interaction = await inTenant(acme, () => store.load(id, binding.value));
    expect(interaction).toMatchObject({
      clientId: app.client_id,
      redirectUri: CALLBACK,
      scope: ['openid', 'email'],
      state: 'st-123',
      nonce: 'n-456',
      loginHint: 'someone@example.com',
    });
    // Another browser (another binding cookie) cannot use it, nor can the same id on another tenant.
    expect(await inTenant(acme, () => store.load(id, randomBytes(32).toString('base64url')))).toBeUndefined();
    expect(await inTenant(other, () => store.load(id, binding.value))).toBeUndefined();

    // Taking it (completing a sign-in) is refused the same way, and such a refusal leaves it in place.
    expect(await inTenant(acme, () => store.take(id, randomBytes(32).toString('base64url')))).toBeUndefined();
    expect(await inTenant(other, () => store.take(id, binding.value))).toBeUndefined();
    expect(await inTenant(acme, () => store.take(id, undefined))).toBeUndefined();
    expect(await inTenant(acme, () => store.load(id, binding.value))).toMatchObject({ id });
    // The right browser takes it once, however many ask at the same moment.
    const takes = await inTenant(acme, () => Promise.all(Array.from({ length: 8 }, () => store.take(id, binding.value))));
    expect(takes.filter((x) => x?.id === id)).toHaveLength(1);
    expect(await inTenant(acme, () => store.load(id, binding.value))).toBeUndefined();
  });

  it('answers at once from a browser session (single sign-on), but not for prompt=login or a too old sign-in', async () => {
    const user = await member(t, acme, []);
    const session = await signIn(user.id);
    const sso = await authorize({}, session);
    expect(sso.status).toBe(302);
    const back = new URL(sso.headers.get('location')!);
    expect(back.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sso.headers.get('cache-control')).toBe('no-store');
    expect(back.searchParams.get('state')).toBe('st-123');
    expect(back.searchParams.get('iss')).toBe(issuer(acme));

    for (const over of [{ prompt: 'login' }]) {
      const res = await authorize(over, session);
      expect(new URL(res.headers.get('location')!, t.url).pathname).toBe(`/v1/t/${acme.slug}/login`);
    }
    await new Promise((r) => setTimeout(r, 1100));
    expect(new URL((await authorize({ max_age: '0' }, session)).headers.get('location')!, t.url).pathname).toBe(`/v1/t/${acme.slug}/login`);
    expect(new URL((await authorize({ max_age: '3600', prompt: 'none' }, session)).headers.get('location')!).searchParams.get('code')).toBeTruthy();
    // The session cookie means nothing on another tenant.
    expect(
      new URL((await authorize({ prompt: 'none' }, session.replace('credence_session', 'credence_session'), acme)).headers.get('location')!).searchParams.get('code'),
    ).toBeTruthy();
    const res = await get(`/v1/t/${other.slug}/oauth2/authorize?${params({ client_id: 'cac_x' })}`, session);
    expect(res.status).toBe(400);
    // The sign-in was recorded with its application.
    const logins = (await eventsOf(t, acme, 'auth.login.succeeded')).filter((e) => e.data.user_id === user.id && e.data.client_id);
    expect(logins[0].data).toMatchObject({ client_id: app.client_id, auth_method: 'local' });
  });

  it("does not answer from the browser session of a user other than id_token_hint's, and refuses a hint it cannot verify", async () => {
    const user = await member(t, acme, []);
    const session = await signIn(user.id);
    const now = Math.floor(Date.now() / 1000);
    const signing = await t.app.get(SigningKeyStore).signingKeyFor({ id: acme.id, slug: acme.slug, schema: acme.schema });
    const hintFor = (sub: string) =>
      signEs256({ alg: 'ES256', typ: 'JWT', kid: signing.kid }, { iss: issuer(acme), sub, aud: app.client_id, tid: acme.id, iat: now, exp: now + 60 }, signing.key);
    const answer = async (hint: string) => new URL((await authorize({ prompt: 'none', id_token_hint: hint }, session)).headers.get('location')!).searchParams;
    expect((await answer(hintFor(user.id))).get('code')).toBeTruthy();
    // The app asks silently about the user it knows; another user signed in meanwhile must not come back in their place.
    const someoneElse = await answer(hintFor((await member(t, acme, [])).id));
    expect([someoneElse.get('error'), someoneElse.get('code')]).toEqual(['login_required', null]);
    expect((await answer(`${hintFor(user.id).slice(0, -4)}AAAA`)).get('error')).toBe('invalid_request');
  });

  it("moves the browser session's idle deadline on at most once a minute, and never answers from one past it", async () => {
    const user = await member(t, acme, []);
    const session = await signIn(user.id);
    const state = async () =>
      (await t.dataSource.query(`SELECT last_seen_at, idle_expires_at FROM "${acme.schema}".browser_sessions WHERE user_id = $1`, [user.id]))[0] as {
        last_seen_at: Date;
        idle_expires_at: Date;
      };
    const answers = async () => new URL((await authorize({ prompt: 'none' }, session)).headers.get('location')!).searchParams.has('code');
    const signedIn = await state();
    expect(await answers()).toBe(true);
    expect(await state()).toEqual(signedIn); // used within the minute: read, not written
    // As if last used 61 s ago: the next use moves the deadline on to now + the idle limit.
    await t.dataSource.query(
      `UPDATE "${acme.schema}".browser_sessions SET last_seen_at = last_seen_at - interval '61 seconds', idle_expires_at = idle_expires_at - interval '61 seconds' WHERE user_id = $1`,
      [user.id],
    );
    const before = Date.now();
    expect(await answers()).toBe(true);
    const touched = await state();
    expect(touched.last_seen_at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(touched.idle_expires_at.getTime()).toBeGreaterThan(signedIn.idle_expires_at.getTime());
    // Past the idle deadline: no answer, however recently it was touched.
    await t.dataSource.query(`UPDATE "${acme.schema}".browser_sessions SET idle_expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
    expect(await answers()).toBe(false);
  });

  it('does not answer from the session of a user who has since been disabled', async () => {
    const user = await member(t, acme, []);
    const session = await signIn(user.id);
    expect((await t.call('POST', `/v1/t/${acme.slug}/users/${user.id}/disable`, undefined, { auth: acme.admin })).status).toBe(200);
    const [row] = await t.dataSource.query(`SELECT status, ended_reason FROM "${acme.schema}".browser_sessions WHERE user_id = $1`, [user.id]);
    expect(row.status).toBe('ended');
    const res = await authorize({ prompt: 'none' }, session);
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('login_required');
  });

  it('shows an HTML page for a suspended tenant', async () => {
    const gone = await onboard(t, 'oauth-az-susp');
    expect((await t.call('POST', `/v1/admin/tenants/${gone.slug}/suspend`)).status).toBe(200);
    const res = await get(`/v1/t/${gone.slug}/oauth2/authorize?${params()}`);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('location')).toBeNull();
  });

  it('limits authorization requests per address with a 429 page', async () => {
    const limited = await startTestApp([AuthAppModule], { AUTHORIZE_IP_LIMIT_PER_MINUTE: '3' });
    try {
      // A tenant of its own: the counter is per tenant and address, and the other tests share this address.
      const fresh = await onboard(limited, 'oauth-az-limit');
      const registered = await limited.call('POST', `/v1/t/${fresh.slug}/applications`, { name: 'Web', type: 'public', redirect_uris: [CALLBACK] }, { auth: fresh.admin });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const res = await fetch(`${limited.url}/v1/t/${fresh.slug}/oauth2/authorize?${params({ client_id: registered.body.client_id })}`, { redirect: 'manual' });
        statuses.push(res.status);
        if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(statuses).toEqual([302, 302, 302, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  describe('logout', () => {
    async function idTokenFor(userId: string, sid: string | undefined, aud = app.client_id, tenant: Tenant = acme): Promise<string> {
      const keys = { signing: await t.app.get(SigningKeyStore).signingKeyFor({ id: tenant.id, slug: tenant.slug, schema: tenant.schema }) };
      const now = Math.floor(Date.now() / 1000);
      return signEs256(
        { alg: 'ES256', typ: 'JWT', kid: keys.signing.kid },
        { iss: issuer(tenant), sub: userId, aud, tid: tenant.id, sid, iat: now, exp: now - 10 },
        keys.signing.key,
      );
    }
    const sidOf = async (tenant: Tenant, cookie: string) =>
      (await t.dataSource.query(`SELECT id FROM "${tenant.schema}".browser_sessions WHERE token_hash = $1`, [createHash('sha256').update(cookie.split('=')[1]).digest()]))[0].id;

    it('ends the browser session with a valid (even expired) id_token_hint and returns to the registered address with state', async () => {
      const user = await member(t, acme, []);
      const session = await signIn(user.id);
      const sid = await sidOf(acme, session);
      const hint = await idTokenFor(user.id, sid);
      const res = await get(`/v1/t/${acme.slug}/oauth2/logout?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: AFTER_LOGOUT, state: 'bye-1' })}`, session);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`${AFTER_LOGOUT}?state=bye-1`);
      expect(cookieFrom(res, 'credence_session')!.line).toMatch(/Max-Age=0/);
      const [row] = await t.dataSource.query(`SELECT status, ended_reason FROM "${acme.schema}".browser_sessions WHERE id = $1`, [sid]);
      expect(row).toEqual({ status: 'ended', ended_reason: 'logout' });
      // The old cookie no longer signs in.
      expect(new URL((await authorize({ prompt: 'none' }, session)).headers.get('location')!).searchParams.get('error')).toBe('login_required');
    });

    it('never redirects to an unregistered post_logout_redirect_uri, nor without a hint, and refuses a forged hint', async () => {
      const user = await member(t, acme, []);
      const session = await signIn(user.id);
      const hint = await idTokenFor(user.id, await sidOf(acme, session));
      const queries: Record<string, string>[] = [
        { id_token_hint: hint, post_logout_redirect_uri: 'https://evil.example/' },
        { id_token_hint: hint, post_logout_redirect_uri: `${AFTER_LOGOUT}/x` },
        { post_logout_redirect_uri: AFTER_LOGOUT },
        { id_token_hint: `${hint.slice(0, -4)}AAAA`, post_logout_redirect_uri: AFTER_LOGOUT },
        { id_token_hint: await idTokenFor(user.id, undefined, app.client_id, other), post_logout_redirect_uri: AFTER_LOGOUT },
      ];
      for (const q of queries) {
        const res = await get(`/v1/t/${acme.slug}/oauth2/logout?${new URLSearchParams(q)}`, session);
        expect(res.status).toBe(400);
        expect(res.headers.get('location')).toBeNull();
      }
      // Nothing ended.
      expect(new URL((await authorize({ prompt: 'none' }, session)).headers.get('location')!).searchParams.get('code')).toBeTruthy();
    });

    it('a code issued from a browser session that has since ended no longer exchanges', async () => {
      const user = await member(t, acme, []);
      const session = await signIn(user.id);
      // Another app's request answered from the session (single sign-on); its code is not exchanged yet.
      const code = new URL((await authorize({ prompt: 'none', scope: 'openid offline_access' }, session)).headers.get('location')!).searchParams.get('code')!;
      const hint = await idTokenFor(user.id, await sidOf(acme, session));
      expect((await get(`/v1/t/${acme.slug}/oauth2/logout?${new URLSearchParams({ id_token_hint: hint })}`, session)).status).toBe(200);
      const res = await fetch(`${t.url}/v1/t/${acme.slug}/oauth2/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: 'v'.repeat(50) }).toString(),
      });
      // Otherwise the sign-out would leave a fresh session (and refresh token) behind that nothing revokes.
      expect([res.status, (await res.json()).error]).toEqual([400, 'invalid_grant']);
      const [{ count }] = await t.dataSource.query(
        `SELECT count(*)::int AS count FROM "${acme.schema}".auth_sessions WHERE user_id = $1 AND client_id IS NOT NULL AND status = 'active'`,
        [user.id],
      );
      expect(count).toBe(0);
    });

    it("never clears the browser's session cookie for a sign-out another site started (no cookie sent) or another user's hint", async () => {
      const user = await member(t, acme, []);
      const session = await signIn(user.id);
      // A form posted from another site: the SameSite=Lax cookie is not sent, but a Set-Cookie in the answer would still be stored.
      const posted = await fetch(`${t.url}/v1/t/${acme.slug}/oauth2/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      });
      expect(posted.status).toBe(200);
      expect(cookieFrom(posted, 'credence_session')).toBeUndefined();
      // A link with the hint of someone else (the attacker's own ID token): their session ends, this browser's stays, and so does its cookie.
      const attacker = await member(t, acme, []);
      const attackerHint = await idTokenFor(attacker.id, await sidOf(acme, await signIn(attacker.id)));
      const linked = await get(`/v1/t/${acme.slug}/oauth2/logout?${new URLSearchParams({ id_token_hint: attackerHint })}`, session);
      expect(linked.status).toBe(200);
      expect(cookieFrom(linked, 'credence_session')).toBeUndefined();
      expect(new URL((await authorize({ prompt: 'none' }, session)).headers.get('location')!).searchParams.get('code')).toBeTruthy();
    });

    it('asks for confirmation without a hint; the confirmed POST ends the session in the cookie', async () => {
      const user = await member(t, acme, []);
      const session = await signIn(user.id);
      const page = await get(`/v1/t/${acme.slug}/oauth2/logout`, session);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(`action="/v1/t/${acme.slug}/oauth2/logout"`);
      expect(new URL((await authorize({ prompt: 'none' }, session)).headers.get('location')!).searchParams.get('code')).toBeTruthy();
      const done = await fetch(`${t.url}/v1/t/${acme.slug}/oauth2/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      });
      expect(done.status).toBe(200);
      expect(new URL((await authorize({ prompt: 'none' }, session)).headers.get('location')!).searchParams.get('error')).toBe('login_required');
    });
  });
});
