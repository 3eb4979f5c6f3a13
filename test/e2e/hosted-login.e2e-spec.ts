import { createHash, randomBytes } from 'node:crypto';
import { RequestContext } from '@credence/context';
import { LogOtpSender } from '@credence/identity';
import { InteractionStore } from '@credence/oauth';
import { LOGIN_CSS } from '../../libs/oauth/src/login-page/login-assets';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { eventsOf, member, onboard, PASSWORD, Tenant } from './identity-authz-fixture';

const CALLBACK = 'https://app.example.com/cb';
const WRONG_PASSWORD = 'The e-mail or password is not correct.';

interface Started {
  id: string;
  csrf: string;
  /** The browser's binding cookie value. */
  cookie: string;
  state: string;
}

/**
 * The hosted login page against the real auth app: interactions are created as /oauth2/authorize
 * creates them (bound to a cookie of the browser), and the forms are posted like a browser posts them.
 */
describe('hosted login page', () => {
  let t: TestApp;
  let acme: Tenant;
  let other: Tenant;
  let clientId: string;
  let otherClientId: string;
  let store: InteractionStore;
  let context: RequestContext;
  let sender: LogOtpSender;

  const register = async (tenant: Tenant) => {
    const res = await t.call('POST', `/v1/t/${tenant.slug}/applications`, { name: 'Web', type: 'public', redirect_uris: [CALLBACK] }, { auth: tenant.admin });
    expect(res.status).toBe(201);
    return res.body.client_id as string;
  };

  const start = async (tenant: Tenant = acme, client = clientId, extra: { loginHint?: string } = {}): Promise<Started> => {
    const cookie = randomBytes(24).toString('base64url');
    const state = randomBytes(8).toString('hex');
    const interaction = await context.runWith({ tenant: { id: tenant.id, slug: tenant.slug, schema: tenant.schema } }, () =>
      store.create({
        clientId: client,
        redirectUri: CALLBACK,
        scope: ['openid'],
        state,
        nonce: 'n-1',
        codeChallenge: createHash('sha256').update('verifier').digest('base64url'),
        binding: createHash('sha256').update(cookie).digest('hex'),
        ...extra,
      }),
    );
    return { id: interaction.id, csrf: interaction.csrf, cookie, state };
  };

  const page = (s: Started, tenant: Tenant = acme, cookie = s.cookie) =>
    t.app.inject({ method: 'GET', url: `/v1/t/${tenant.slug}/login?interaction=${s.id}`, headers: { cookie: `credence_binding=${cookie}` } });

  const post = (path: string, s: Started, fields: Record<string, string>, options: { tenant?: Tenant; cookie?: string; csrf?: string | null; json?: boolean } = {}) => {
    const body: Record<string, string> = { interaction: s.id, ...(options.csrf === null ? {} : { csrf: options.csrf ?? s.csrf }), ...fields };
    return t.app.inject({
      method: 'POST',
      url: `/v1/t/${(options.tenant ?? acme).slug}/login${path}`,
      headers: {
        cookie: `credence_binding=${options.cookie ?? s.cookie}`,
        'content-type': options.json ? 'application/json' : 'application/x-www-form-urlencoded',
      },
      payload: options.json ? JSON.stringify(body) : new URLSearchParams(body).toString(),
    });
  };

  /** The text of the page's role="alert" message. */
  const alertOf = (html: string) => /role="alert">([^<]*)</.exec(html)?.[1];
  const sessionsOf = async (tenant: Tenant, userId: string) =>
    Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM "${tenant.schema}".browser_sessions WHERE user_id = $1`, [userId]))[0].n);

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '1000' });
    store = t.app.get(InteractionStore);
    context = t.app.get(RequestContext);
    sender = t.app.get(LogOtpSender);
    acme = await onboard(t, 'hosted');
    other = await onboard(t, 'hosted-other');
    await t.call('PATCH', `/v1/admin/tenants/${acme.slug}`, {
      name: 'Acme <b>&</b> "Co"',
      settings: { login_primary_color: '#0b5fff', login_logo_url: 'https://cdn.example/logo.svg' },
    });
    clientId = await register(acme);
    otherClientId = await register(other);
  });
  afterAll(() => t.close());

  it('renders the sign-in page with the escaped tenant name and login_hint, hidden keys, labels and strict headers', async () => {
    const s = await start(acme, clientId, { loginHint: '"><script>alert(1)</script>' });
    const res = await page(s);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    // No form-action: Chromium would apply it to the redirects after the app's redirect_uri too.
    expect(csp).not.toContain('form-action');
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');

    const html = res.body;
    expect(html).toContain('Acme &lt;b&gt;&amp;&lt;/b&gt; &quot;Co&quot;');
    expect(html).not.toContain('<b>&</b>');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/<style/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).toContain('<img class="logo" src="https://cdn.example/logo.svg" alt="" />');
    expect(html).toContain(`name="interaction" value="${s.id}"`);
    expect(html).toContain(`name="csrf" value="${s.csrf}"`);
    for (const id of ['email', 'password']) expect(html).toContain(`<label for="${id}">`);
    expect(html).toContain('autocomplete="current-password"');
    expect(html).toContain(`action="/v1/t/${acme.slug}/login/password"`);
    expect(html).toContain(`formaction="/v1/t/${acme.slug}/login/code"`);
  });

  it('serves the stylesheet with long caching under a URL that names its content, and the tenant colour as a theme', async () => {
    // The page links the stylesheet by a version of its content: a copy cached as immutable is never used after it changes.
    const html = (await page(await start())).body;
    const link = /href="([^"]*\/login\.css\?v=[0-9a-f]{12})"/.exec(html)?.[1];
    expect(link).toBe(`/v1/t/${acme.slug}/login/assets/login.css?v=${createHash('sha256').update(LOGIN_CSS).digest('hex').slice(0, 12)}`);
    const css = await t.app.inject({ method: 'GET', url: link! });
    expect(css.body).toBe(LOGIN_CSS);
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toContain('max-age=86400');
    expect(css.body).toContain(':focus-visible');
    const theme = await t.app.inject({ method: 'GET', url: `/v1/t/${acme.slug}/login/assets/theme.css` });
    expect(theme.statusCode).toBe(200);
    expect(theme.body).toBe(':root { --brand: #0b5fff; --on-brand: #ffffff; }\n');
    const plain = await t.app.inject({ method: 'GET', url: `/v1/t/${other.slug}/login/assets/theme.css` });
    expect(plain.body).not.toContain('--brand');
  });

  it('signs in with the password: 303 to the redirect_uri with code, state and iss, and a browser session cookie', async () => {
    const s = await start();
    const res = await post('/password', s, { email: `ADMIN@${acme.slug}.example `, password: PASSWORD });
    expect(res.statusCode).toBe(303);
    const location = new URL(String(res.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('code')).toEqual(expect.any(String));
    expect(location.searchParams.get('state')).toBe(s.state);
    expect(location.searchParams.get('iss')).toBe(`http://credence.test/v1/t/${acme.slug}`);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^credence_session=[^;]+;/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Secure');
    expect(cookie).toContain(`Path=/v1/t/${acme.slug}/`);
    const succeeded = (await eventsOf(t, acme, 'auth.login.succeeded')).filter((e) => e.data.client_id === clientId);
    expect(succeeded.at(-1)?.data).toMatchObject({ user_id: acme.adminId, auth_method: 'local' });

    // The interaction completed once: reusing it (back button, second tab) gets the error page.
    const again = await post('/password', s, { email: `admin@${acme.slug}.example`, password: PASSWORD });
    expect(again.statusCode).toBe(400);
    expect(again.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(again.body).toContain('oauth.interaction_expired');
    expect((await page(s)).statusCode).toBe(400);
  });

  it('signs in with any password the API accepted: 256 characters counted as the API counts them, in code points', async () => {
    const long = `${'\u{1F511}'.repeat(200)} open sesame`; // 212 code points, 412 UTF-16 units
    const created = await t.call('POST', `/v1/t/${acme.slug}/users`, { email: `keys@${acme.slug}.example`, password: long }, { auth: acme.admin });
    expect(created.status).toBe(201);
    const res = await post('/password', await start(), { email: `keys@${acme.slug}.example`, password: long });
    expect(res.statusCode).toBe(303);
  });

  it("signs in an address JavaScript lower-cases differently from Postgres ('İ'), as created and in capitals", async () => {
    const email = `İpek@${acme.slug}.example`;
    expect((await t.call('POST', `/v1/t/${acme.slug}/users`, { email, password: PASSWORD }, { auth: acme.admin })).status).toBe(201);
    for (const typed of [email, email.toUpperCase()]) expect((await post('/password', await start(), { email: typed, password: PASSWORD })).statusCode).toBe(303);
    // And with a code mailed to it.
    const s = await start();
    expect((await post('/code', s, { email })).statusCode).toBe(200);
    const code = sender.lastSent(email)?.code;
    expect(code).toMatch(/^[0-9]{6}$/);
    expect((await post('/code/verify', s, { email, code: code! })).statusCode).toBe(303);
  });

  it('answers a wrong password and an unknown e-mail with the byte-identical page message', async () => {
    const s = await start();
    const wrong = await post('/password', s, { email: `admin@${acme.slug}.example`, password: 'not the password at all' });
    const unknown = await post('/password', s, { email: `nobody@${acme.slug}.example`, password: 'not the password at all' });
    expect(wrong.statusCode).toBe(200);
    expect(unknown.statusCode).toBe(200);
    expect(alertOf(wrong.body)).toBe(WRONG_PASSWORD);
    expect(alertOf(unknown.body)).toBe(WRONG_PASSWORD);
    // The whole page differs only in the e-mail typed back into the field.
    expect(wrong.body.replace(`admin@${acme.slug}.example`, 'X')).toBe(unknown.body.replace(`nobody@${acme.slug}.example`, 'X'));
    expect(wrong.body).toContain('aria-describedby="form-error"');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    // The interaction is still usable.
    expect((await post('/password', s, { email: `admin@${acme.slug}.example`, password: PASSWORD })).statusCode).toBe(303);
  });

  it('refuses a form without the CSRF token or with a wrong one (403) and signs nobody in', async () => {
    const user = await member(t, acme, []);
    const s = await start();
    for (const csrf of [null, '', 'x'.repeat(43), `${s.csrf.slice(0, -1)}${s.csrf.endsWith('A') ? 'B' : 'A'}`]) {
      const res = await post('/password', s, { email: user.email, password: PASSWORD }, { csrf });
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    const code = await post('/code', s, { email: user.email }, { csrf: 'nope' });
    expect(code.statusCode).toBe(403);
    expect(sender.lastSent(user.email)).toBeUndefined();
    expect(await sessionsOf(acme, user.id)).toBe(0);
    expect((await post('/password', s, { email: user.email, password: PASSWORD })).statusCode).toBe(303);
  });

  it("refuses another browser's interaction, another tenant's, and unknown ids with the error page", async () => {
    const s = await start();
    const foreign = await page(s, acme, 'another-browser-cookie');
    expect(foreign.statusCode).toBe(400);
    expect(foreign.body).toContain('oauth.interaction_expired');
    expect(foreign.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const noCookie = await t.app.inject({ method: 'GET', url: `/v1/t/${acme.slug}/login?interaction=${s.id}` });
    expect(noCookie.statusCode).toBe(400);
    expect((await post('/password', s, { email: `admin@${acme.slug}.example`, password: PASSWORD }, { cookie: 'another-browser-cookie' })).statusCode).toBe(400);

    const theirs = await start(other, otherClientId);
    expect((await page(theirs, acme)).statusCode).toBe(400);
    expect((await post('/password', theirs, { email: `admin@${other.slug}.example`, password: PASSWORD }, { tenant: acme })).statusCode).toBe(400);
    expect((await page(theirs, other)).statusCode).toBe(200);

    for (const id of ['nope', '00000000-0000-4000-8000-000000000000', '']) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/t/${acme.slug}/login?interaction=${id}`, headers: { cookie: `credence_binding=${s.cookie}` } });
      expect(res.statusCode).toBe(400);
    }
  });

  it('signs in with an e-mailed code, once', async () => {
    const user = await member(t, acme, []);
    const s = await start();
    const asked = await post('/code', s, { email: ` ${user.email.toUpperCase()} ` });
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('autocomplete="one-time-code"');
    // The address as typed (trimmed): sign-in compares it case-insensitively.
    expect(asked.body).toContain(`name="email" value="${user.email.toUpperCase()}"`);
    // The same page for an address without an account.
    const ghost = await post('/code', s, { email: `ghost@${acme.slug}.example` });
    expect(ghost.statusCode).toBe(200);
    expect(ghost.body.replaceAll(`ghost@${acme.slug}.example`, 'X')).toBe(asked.body.replaceAll(user.email.toUpperCase(), 'X'));

    // A second code within the resend interval: the rate-limit page, with Retry-After.
    const soon = await post('/code', s, { email: user.email });
    expect(soon.statusCode).toBe(429);
    expect(Number(soon.headers['retry-after'])).toBeGreaterThan(0);
    expect(alertOf(soon.body)).toBe('Too many attempts. Wait a few minutes, then try again.');

    const code = sender.lastSent(user.email)!.code;
    const wrong = await post('/code/verify', s, { email: user.email, code: code === '000000' ? '000001' : '000000' });
    expect(wrong.statusCode).toBe(200);
    expect(alertOf(wrong.body)).toBe('The code is not correct or has expired. Check it, or ask for a new one.');
    const ok = await post('/code/verify', s, { email: user.email, code });
    expect(ok.statusCode).toBe(303);
    const location = new URL(String(ok.headers.location));
    expect(location.searchParams.get('code')).toEqual(expect.any(String));
    expect(location.searchParams.get('state')).toBe(s.state);
    expect(String(ok.headers['set-cookie'])).toContain('credence_session=');
    const succeeded = (await eventsOf(t, acme, 'auth.login.succeeded')).filter((e) => e.data.user_id === user.id && e.data.client_id === clientId);
    expect(succeeded.map((e) => e.data.auth_method)).toEqual(['otp']);

    // The code is spent: a second interaction of the same browser cannot use it.
    const s2 = await start();
    const reused = await post('/code/verify', s2, { email: user.email, code });
    expect(reused.statusCode).toBe(200);
    expect(alertOf(reused.body)).toContain('not correct');
  });

  it('locks after the configured failures with the "too many attempts" page, and refuses the right password while locked', async () => {
    const user = await member(t, acme, []);
    const s = await start();
    for (let i = 0; i < 5; i++) expect(alertOf((await post('/password', s, { email: user.email, password: `wrong ${i}` })).body)).toBe(WRONG_PASSWORD);
    const locked = await post('/password', s, { email: user.email, password: PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(alertOf(locked.body)).toBe('Too many attempts. Wait a few minutes, then try again.');
    expect(locked.headers['set-cookie']).toBeUndefined();
    expect(await sessionsOf(acme, user.id)).toBe(0);
    // An unknown e-mail locks the same way.
    for (let i = 0; i < 5; i++) await post('/password', s, { email: `ghost2@${acme.slug}.example`, password: `wrong ${i}` });
    expect(alertOf((await post('/password', s, { email: `ghost2@${acme.slug}.example`, password: 'x' })).body)).toBe(alertOf(locked.body));
  });

  it('shows the generic message to a disabled user, even with the right password', async () => {
    const user = await member(t, acme, []);
    expect((await t.call('POST', `/v1/t/${acme.slug}/users/${user.id}/disable`, undefined, { auth: acme.admin })).status).toBeLessThan(300);
    const s = await start();
    const res = await post('/password', s, { email: user.email, password: PASSWORD });
    expect(res.statusCode).toBe(200);
    expect(alertOf(res.body)).toBe(WRONG_PASSWORD);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a JSON body, NUL and oversized fields with HTML error pages, never 500', async () => {
    const s = await start();
    const json = await post('/password', s, { email: `admin@${acme.slug}.example`, password: PASSWORD }, { json: true });
    expect(json.statusCode).toBe(415);
    expect(json.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(json.headers['set-cookie']).toBeUndefined();

    const nul = await post('/password', s, { email: `admin\u0000@${acme.slug}.example`, password: PASSWORD });
    expect(nul.statusCode).toBe(400);
    expect(nul.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(nul.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(nul.body).toMatch(/^<!doctype html>/);
    expect(nul.body).not.toContain('trace_id');

    const long = await post('/password', s, { email: `${'a'.repeat(300)}@x.example`, password: PASSWORD });
    expect(long.statusCode).toBe(400);
    const text = await t.app.inject({ method: 'POST', url: `/v1/t/${acme.slug}/login/password`, headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect(text.statusCode).toBe(415);
    expect(text.headers['content-type']).toBe('text/html; charset=utf-8');
    // The interaction is untouched and still signs in.
    expect((await post('/password', s, { email: `admin@${acme.slug}.example`, password: PASSWORD })).statusCode).toBe(303);
  });

  it('answers an unknown or suspended tenant with an HTML page', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/v1/t/no-such-tenant-here/login?interaction=x' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toBe('text/html; charset=utf-8');
    const gone = await onboard(t, 'hosted-gone');
    const goneClient = await register(gone);
    const s = await start(gone, goneClient);
    expect((await t.call('POST', `/v1/admin/tenants/${gone.slug}/suspend`)).status).toBeLessThan(300);
    const suspended = await page(s, gone);
    expect(suspended.statusCode).toBe(403);
    expect(suspended.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(suspended.body).toContain('tenant.suspended');
  });

  it('refuses a connection the app may not use (none is bound yet)', async () => {
    const s = await start();
    const res = await post('/connection', s, { connection: 'okta' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  });
});
