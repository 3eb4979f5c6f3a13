import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { LogOtpSender } from '@credence/identity';
import { REDIS } from '@credence/redis';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

const PASSWORD = 'a long enough password';

/** One-time code sign-in with the development (log) sender, whose last message per address tests read. */
describe('one-time code sign-in', () => {
  let t: TestApp;
  let sender: LogOtpSender;
  let redis: Redis;
  let slug: string;
  let tenantId: string;
  let schema: string;
  let ipCounter = 0;
  // Each test speaks from its own address (X-Forwarded-For from a trusted proxy), so per-IP limits stay apart.
  let ip = '';
  beforeEach(() => (ip = `198.51.100.${++ipCounter}`));

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { TRUSTED_PROXIES: '127.0.0.1' });
    sender = t.app.get(LogOtpSender);
    redis = t.app.get(REDIS);
    slug = uniqueSlug('otp');
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'Ada@Otp.example', password: PASSWORD } });
    expect(res.status).toBe(201);
    tenantId = res.body.id;
    schema = `t_${tenantId.replace(/-/g, '')}`;
  });
  afterAll(() => t.close());

  const request = (body: unknown) => t.call('POST', `/v1/t/${slug}/auth/otp/request`, body, { auth: false, headers: { 'x-forwarded-for': ip } });
  const verify = (body: unknown) => t.call('POST', `/v1/t/${slug}/auth/otp/verify`, body, { auth: false, headers: { 'x-forwarded-for': ip } });
  const addUser = async (email: string, extra: { phone?: string; status?: string } = {}) => {
    const [row] = await t.dataSource.query(`INSERT INTO "${schema}".users (id, email, phone, status) VALUES (gen_random_uuid(), $1, $2, $3) RETURNING id`, [
      email,
      extra.phone ?? null,
      extra.status ?? 'active',
    ]);
    return row.id as string;
  };
  const codeFor = (to: string) => sender.lastSent(to)?.code;
  const eventsOf = (userId: string) =>
    t.dataSource.query(`SELECT type, event FROM platform.outbox WHERE tenant_id = $1 AND aggregate = $2 ORDER BY position`, [tenantId, `user/${userId}`]);
  const allowAnotherRequest = async () => {
    const keys = await redis.keys(`${t.config.REDIS_PREFIX}:otp-resend:${tenantId}:*`);
    if (keys.length) await redis.del(...keys);
  };
  /** True when `code` stands anywhere in the text as a number of its own (not inside a hex id). */
  const mentions = (text: string, code: string) => new RegExp(`(^|[^0-9a-f])${code}([^0-9a-f]|$)`, 'i').test(text);

  it('signs in with a code sent by e-mail: tokens like password login, an otp session and the events', async () => {
    const userId = await addUser('grace@otp.example');
    const asked = await request({ email: 'Grace@OTP.example' });
    expect(asked.status).toBe(202);
    expect(asked.body).toBeUndefined();
    const code = codeFor('grace@otp.example')!;
    expect(code).toMatch(/^[0-9]{6}$/);

    const res = await verify({ email: 'grace@otp.example', code, device_type: 'tablet' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, user: { id: userId, email: 'grace@otp.example' } });
    expect(res.body.refresh_token).toMatch(/^crt_/);
    const [session] = await t.dataSource.query(`SELECT auth_method, device_type, ip FROM "${schema}".auth_sessions WHERE id = $1`, [res.body.session_id]);
    expect(session).toEqual({ auth_method: 'otp', device_type: 'tablet', ip });
    expect((await t.call('POST', `/v1/t/${slug}/auth/logout-all`, undefined, { auth: res.body.access_token })).status).toBe(200);

    const events = await eventsOf(userId);
    const requested = events.find((e: { type: string }) => e.type === 'auth.otp.requested');
    expect(Object.keys(requested.event.data).sort()).toEqual(['channel', 'expires_at', 'user_id']);
    expect(requested.event.data).toMatchObject({ user_id: userId, channel: 'email' });
    const expiresIn = Date.parse(requested.event.data.expires_at) - Date.parse(requested.event.time);
    expect(expiresIn).toBeGreaterThan(295_000);
    expect(expiresIn).toBeLessThanOrEqual(300_500);
    const succeeded = events.find((e: { type: string }) => e.type === 'auth.login.succeeded');
    expect(succeeded.event.data).toMatchObject({ user_id: userId, session_id: res.body.session_id, auth_method: 'otp' });
    // The session's own events were written in the same transaction as auth.login.succeeded.
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM platform.outbox WHERE aggregate = $1 AND type = 'auth.session.created'`, [
      `session/${res.body.session_id}`,
    ]);
    expect(n).toBe(1);

    // The code is in no event of the tenant and not stored in the clear (nor as a plain SHA-256).
    const all = await t.dataSource.query(`SELECT event::text AS text FROM platform.outbox WHERE tenant_id = $1`, [tenantId]);
    expect(all.filter((e: { text: string }) => mentions(e.text, code))).toEqual([]);
    const [row] = await t.dataSource.query(`SELECT code_hash, consumed_at FROM "${schema}".otp_codes WHERE user_id = $1`, [userId]);
    expect(row.consumed_at).not.toBeNull();
    expect(row.code_hash).toHaveLength(32);
    expect(row.code_hash.equals(createHash('sha256').update(code).digest())).toBe(false);
    expect(row.code_hash.toString('latin1')).not.toContain(code);

    const again = await verify({ email: 'grace@otp.example', code });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('auth.otp.expired');
  });

  it('refuses a wrong code with auth.otp.invalid and counts the attempt', async () => {
    const userId = await addUser('wrong@otp.example');
    await request({ email: 'wrong@otp.example' });
    const code = codeFor('wrong@otp.example')!;
    const wrong = code === '000000' ? '000001' : '000000';
    const res = await verify({ email: 'wrong@otp.example', code: wrong });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'auth.otp.invalid', message: expect.any(String), trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const [row] = await t.dataSource.query(`SELECT attempts, consumed_at FROM "${schema}".otp_codes WHERE user_id = $1`, [userId]);
    expect(row).toEqual({ attempts: 1, consumed_at: null });
    const failed = (await eventsOf(userId)).filter((e: { type: string }) => e.type === 'auth.login.failed');
    expect(failed.map((e: { event: { data: unknown } }) => e.event.data)).toEqual([expect.objectContaining({ user_id: userId, auth_method: 'otp', reason: 'otp_invalid' })]);
    expect((await verify({ email: 'wrong@otp.example', code })).status).toBe(200);
  });

  it('allows 5 attempts; after them even the right code has expired', async () => {
    await addUser('five@otp.example');
    await request({ email: 'five@otp.example' });
    const code = codeFor('five@otp.example')!;
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) expect((await verify({ email: 'five@otp.example', code: wrong })).body.error.code).toBe('auth.otp.invalid');
    const res = await verify({ email: 'five@otp.example', code });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('auth.otp.expired');
  });

  it('never counts past 5 attempts when guesses arrive concurrently', async () => {
    const userId = await addUser('race@otp.example');
    await request({ email: 'race@otp.example' });
    const code = codeFor('race@otp.example')!;
    const guesses = Array.from({ length: 12 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
    const results = await Promise.all(guesses.map((guess) => verify({ email: 'race@otp.example', code: guess })));
    const codes = results.map((r) => r.body.error.code);
    expect(codes.filter((c) => c === 'auth.otp.invalid')).toHaveLength(5);
    expect(codes.filter((c) => c === 'auth.otp.expired')).toHaveLength(7);
    const [row] = await t.dataSource.query(`SELECT attempts FROM "${schema}".otp_codes WHERE user_id = $1`, [userId]);
    expect(row.attempts).toBe(5);
  });

  it('signs in exactly once when the right code arrives twice at the same moment', async () => {
    const userId = await addUser('twice@otp.example');
    await request({ email: 'twice@otp.example' });
    const code = codeFor('twice@otp.example')!;
    const results = await Promise.all(Array.from({ length: 4 }, () => verify({ email: 'twice@otp.example', code })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400).map((r) => r.body.error.code)).toEqual(['auth.otp.expired', 'auth.otp.expired', 'auth.otp.expired']);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${schema}".auth_sessions WHERE user_id = $1`, [userId]);
    expect(n).toBe(1);
  });

  it('refuses a code past its 5 minutes', async () => {
    const userId = await addUser('late@otp.example');
    await request({ email: 'late@otp.example' });
    await t.dataSource.query(`UPDATE "${schema}".otp_codes SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [userId]);
    const res = await verify({ email: 'late@otp.example', code: codeFor('late@otp.example')! });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('auth.otp.expired');
  });

  it('lets a new request supersede the older code', async () => {
    await addUser('newer@otp.example');
    await request({ email: 'newer@otp.example' });
    const first = codeFor('newer@otp.example')!;
    await allowAnotherRequest();
    expect((await request({ email: 'newer@otp.example' })).status).toBe(202);
    const second = codeFor('newer@otp.example')!;
    if (first !== second) expect((await verify({ email: 'newer@otp.example', code: first })).body.error.code).toBe('auth.otp.invalid');
    expect((await verify({ email: 'newer@otp.example', code: second })).status).toBe(200);
  });

  it('limits resends: one per 30 seconds and five an hour per address, with Retry-After', async () => {
    await addUser('resend@otp.example');
    expect((await request({ email: 'resend@otp.example' })).status).toBe(202);
    const soon = await request({ email: 'resend@otp.example' });
    expect(soon.status).toBe(429);
    expect(soon.body.error.code).toBe('auth.rate_limited');
    const retry = Number(soon.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(30);
    // The same limit applies to an address without an account, so a 429 tells nothing.
    expect((await request({ email: 'nobody-resend@otp.example' })).status).toBe(202);
    expect((await request({ email: 'nobody-resend@otp.example' })).status).toBe(429);

    for (let i = 0; i < 4; i++) {
      await allowAnotherRequest();
      expect((await request({ email: 'resend@otp.example' })).status).toBe(202);
    }
    await allowAnotherRequest();
    const hourly = await request({ email: 'resend@otp.example' });
    expect(hourly.status).toBe(429);
    expect(Number(hourly.headers.get('retry-after'))).toBeGreaterThan(30);
  });

  it('limits requests per IP address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < t.config.LOGIN_IP_LIMIT_PER_MINUTE + 1; i++) statuses.push((await request({ email: `ip-${i}@otp.example` })).status);
    expect(statuses.slice(0, -1).every((s) => s === 202)).toBe(true);
    expect(statuses[statuses.length - 1]).toBe(429);
  });

  it('answers an unknown address the same way, in similar time, with no event and nothing sent', async () => {
    const known = await Promise.all(Array.from({ length: 5 }, (_, i) => addUser(`timing-${i}@otp.example`)));
    const timeOf = async (email: string) => {
      const started = performance.now();
      const res = await request({ email });
      expect(res.status).toBe(202);
      expect(res.body).toBeUndefined();
      return performance.now() - started;
    };
    const [{ since }] = await t.dataSource.query(`SELECT coalesce(max(position), 0) AS since FROM platform.outbox`);
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      knownTimes.push(await timeOf(`timing-${i}@otp.example`));
      unknownTimes.push(await timeOf(`ghost-${i}@otp.example`));
    }
    const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
    expect(Math.abs(median(unknownTimes) - median(knownTimes))).toBeLessThan(Math.max(25, median(knownTimes)));
    for (let i = 0; i < 5; i++) expect(codeFor(`ghost-${i}@otp.example`)).toBeUndefined();
    const requested = await t.dataSource.query(
      `SELECT event->'data'->>'user_id' AS user_id FROM platform.outbox WHERE tenant_id = $1 AND type = 'auth.otp.requested' AND position > $2`,
      [tenantId, since],
    );
    expect(requested.map((r: { user_id: string }) => r.user_id).sort()).toEqual([...known].sort());
  });

  it('answers guesses for an unknown address exactly like guesses against a real code', async () => {
    await addUser('real@otp.example');
    await request({ email: 'real@otp.example' });
    await request({ email: 'ghost-guess@otp.example' });
    const guess = String((Number(codeFor('real@otp.example')) + 1) % 1_000_000).padStart(6, '0');
    const answers = async (email: string) => {
      const out: string[] = [];
      for (let i = 0; i < 6; i++) out.push((await verify({ email, code: guess })).body.error.code);
      return out;
    };
    const real = await answers('real@otp.example');
    expect(real).toEqual([...Array(5).fill('auth.otp.invalid'), 'auth.otp.expired']);
    expect(await answers('ghost-guess@otp.example')).toEqual(real);
    // Without any request, a known and an unknown address answer alike too.
    expect((await verify({ email: 'never@otp.example', code: guess })).body.error.code).toBe('auth.otp.expired');
    await addUser('idle@otp.example');
    expect((await verify({ email: 'idle@otp.example', code: guess })).body.error.code).toBe('auth.otp.expired');
  });

  it('sends nothing to a disabled account and refuses disabled or locked accounts even with the right code', async () => {
    await addUser('off@otp.example', { status: 'disabled' });
    expect((await request({ email: 'off@otp.example' })).status).toBe(202);
    expect(codeFor('off@otp.example')).toBeUndefined();

    const disabledId = await addUser('soon-off@otp.example');
    await request({ email: 'soon-off@otp.example' });
    await t.dataSource.query(`UPDATE "${schema}".users SET status = 'disabled' WHERE id = $1`, [disabledId]);
    const disabled = await verify({ email: 'soon-off@otp.example', code: codeFor('soon-off@otp.example')! });
    expect(disabled.status).toBe(403);
    expect(disabled.body.error.code).toBe('auth.account.disabled');

    const lockedId = await addUser('soon-locked@otp.example');
    await request({ email: 'soon-locked@otp.example' });
    await t.dataSource.query(`UPDATE "${schema}".users SET locked_until = now() + interval '2 minutes' WHERE id = $1`, [lockedId]);
    const locked = await verify({ email: 'soon-locked@otp.example', code: codeFor('soon-locked@otp.example')! });
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe('auth.account.locked');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(100);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${schema}".auth_sessions WHERE user_id = ANY($1)`, [[disabledId, lockedId]]);
    expect(n).toBe(0);
  });

  it('signs in with a code for a phone number (the SMS channel)', async () => {
    const userId = await addUser('phone@otp.example', { phone: '+4915112345678' });
    expect((await request({ phone: '+4915112345678' })).status).toBe(202);
    const sent = sender.lastSent('+4915112345678')!;
    expect(sent.channel).toBe('sms');
    const res = await verify({ phone: '+4915112345678', code: sent.code });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(userId);
    const requested = (await eventsOf(userId)).find((e: { type: string }) => e.type === 'auth.otp.requested');
    expect(requested.event.data.channel).toBe('sms');
  });

  it('refuses bad input on both routes with the error envelope and changes nothing', async () => {
    await addUser('input@otp.example');
    const before = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM "${schema}".otp_codes)::int AS codes, (SELECT count(*) FROM platform.outbox WHERE tenant_id = $1)::int AS events`,
      [tenantId],
    );
    const bad: [string, unknown][] = [
      ['request', {}],
      ['request', { email: 'input@otp.example', phone: '+4915112345679' }],
      ['request', { email: 'not an address' }],
      ['request', { email: null }],
      ['request', { phone: '015112345678' }],
      ['request', { email: 'input@otp.example', extra: 1 }],
      ['request', ['input@otp.example']],
      ['verify', { email: 'input@otp.example' }],
      ['verify', { email: 'input@otp.example', code: '12345' }],
      ['verify', { email: 'input@otp.example', code: 123456 }],
      ['verify', { email: 'input@otp.example', code: '123456', device_type: 'toaster' }],
      ['verify', { code: '123456' }],
    ];
    for (const [route, body] of bad) {
      const res = route === 'request' ? await request(body) : await verify(body);
      expect([route, body, res.status, res.body.error.code]).toEqual([route, body, 400, 'validation.failed']);
    }
    const text = await t.call('POST', `/v1/t/${slug}/auth/otp/request`, 'email=input%40otp.example', {
      auth: false,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
    });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('request.unsupported_media_type');
    const unknownTenant = await t.call('POST', `/v1/t/no-such-tenant-otp/auth/otp/request`, { email: 'input@otp.example' }, { auth: false });
    expect(unknownTenant.status).toBe(404);
    const after = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM "${schema}".otp_codes)::int AS codes, (SELECT count(*) FROM platform.outbox WHERE tenant_id = $1)::int AS events`,
      [tenantId],
    );
    expect(after).toEqual(before);
  });
});
