import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

const PASSWORD = 'a long enough password';

/** A flood of sign-ins meets a bounded hashing queue: 503 with Retry-After, not a wait that grows with the flood. */
describe('login under a flood (bounded password hashing queue)', () => {
  let t: TestApp;
  let slug: string;
  beforeAll(async () => {
    // One hashing thread, two waiting, and a hash slow enough (64 MiB) that a burst outruns them.
    t = await startTestApp([AuthAppModule], {
      ARGON2_MAX_CONCURRENCY: '1',
      ARGON2_QUEUE: '2',
      ARGON2_MEMORY_KIB: '65536',
      ARGON2_TIME_COST: '2',
      LOGIN_IP_LIMIT_PER_MINUTE: '1000',
    });
    slug = uniqueSlug('flood');
    expect((await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'ada@flood.example', password: PASSWORD } })).status).toBe(201);
  });
  afterAll(() => t.close());

  const login = (email: string, password: string) => t.call('POST', `/v1/t/${slug}/auth/login`, { email, password }, { auth: false });

  it('answers 503 service.unavailable with Retry-After past the queue, without counting those attempts towards the lockout', async () => {
    const burst = await Promise.all(Array.from({ length: 16 }, (_, i) => login(`guess-${i}@flood.example`, 'not the password')));
    const refused = burst.map((res, i) => ({ res, i })).filter(({ res }) => res.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(burst.every((res) => res.status === 503 || res.status === 401)).toBe(true);
    for (const { res } of refused) {
      expect(res.body.error.code).toBe('service.unavailable');
      expect(res.body.error.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(res.headers.get('retry-after')).toBe('1');
    }
    // The refused attempt was given back: that identifier still has its 5 tries before the lock.
    const email = `guess-${refused[0].i}@flood.example`;
    for (let i = 0; i < 5; i++) expect((await login(email, `wrong ${i}`)).status).toBe(401);
    expect((await login(email, 'wrong again')).status).toBe(423);
  });

  it('signs in as usual once the queue has room', async () => {
    const res = await login('ada@flood.example', PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.access_token).toEqual(expect.any(String));
  });
});
