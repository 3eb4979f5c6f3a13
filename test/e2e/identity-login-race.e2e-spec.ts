import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

const PASSWORD = 'a long enough password';

/**
 * Lockout under concurrency: an attempt is counted in Redis before its password is checked, so a
 * burst of guesses, spread over two processes, gets at most the 5 checks the lockout allows.
 */
describe('lockout under concurrent guesses', () => {
  let a: TestApp;
  let b: TestApp;
  let slug: string;
  let tenantId: string;
  let adminToken: string;
  beforeAll(async () => {
    [a, b] = await Promise.all([startTestApp([AuthAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '1000' }), startTestApp([AuthAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '1000' })]);
    slug = uniqueSlug('race');
    const res = await a.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'root@race.example', password: PASSWORD } });
    tenantId = res.body.id;
    adminToken = (await login(a, 'root@race.example', PASSWORD)).body.access_token;
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  const login = (app: TestApp, email: string, password: string) => app.call('POST', `/v1/t/${slug}/auth/login`, { email, password }, { auth: false });
  const addUser = async (email: string) => {
    const made = await a.call('POST', `/v1/t/${slug}/users`, { email, password: PASSWORD }, { auth: adminToken });
    expect(made.status).toBe(201);
    return made.body.id as string;
  };
  /** Sends the attempts all at once, alternating between the two processes. */
  const burst = (email: string, passwords: string[]) => Promise.all(passwords.map((p, i) => login(i % 2 ? b : a, email, p)));
  const countOf = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

  it('checks exactly 5 of 50 parallel wrong passwords and refuses the other 45 as locked', async () => {
    const userId = await addUser('burst@race.example');
    const results = await burst(
      'burst@race.example',
      Array.from({ length: 50 }, (_, i) => `wrong password ${i}`),
    );
    const statuses = results.map((r) => r.status);
    expect(countOf(statuses, 401)).toBe(5);
    expect(countOf(statuses, 423)).toBe(45);
    for (const r of results.filter((x) => x.status === 423)) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    const failures = await a.dataSource.query(
      `SELECT event->'data'->>'reason' AS reason FROM platform.outbox WHERE tenant_id = $1 AND type = 'auth.login.failed' AND event->>'subject' = $2`,
      [tenantId, `user/${userId}`],
    );
    expect(failures.filter((f: { reason: string }) => f.reason === 'invalid_credentials')).toHaveLength(5);
    expect(failures.filter((f: { reason: string }) => f.reason === 'account_locked')).toHaveLength(45);
    expect((await login(a, 'burst@race.example', PASSWORD)).status).toBe(423);
  });

  it('with one guess left, checks only one of a burst of 49 wrong and 1 right password', async () => {
    await addUser('last@race.example');
    for (let i = 0; i < 4; i++) expect((await login(a, 'last@race.example', `wrong ${i}`)).status).toBe(401);
    const passwords = Array.from({ length: 50 }, (_, i) => (i === 25 ? PASSWORD : `wrong password ${i}`));
    const statuses = (await burst('last@race.example', passwords)).map((r) => r.status);
    // The one check left goes to whichever attempt reserves it first; everything else is refused unchecked.
    expect(countOf(statuses, 401) + countOf(statuses, 200)).toBe(1);
    // Every other attempt is refused as locked (compared as a list, so a failure shows what came instead).
    expect(statuses.filter((s) => s !== 401 && s !== 200)).toEqual(Array(49).fill(423));
    if (countOf(statuses, 401) === 1) expect((await login(b, 'last@race.example', PASSWORD)).status).toBe(423);
  });

  it('locks an unknown identifier after exactly 5 checks too', async () => {
    const statuses = (
      await burst(
        'nobody@race.example',
        Array.from({ length: 30 }, (_, i) => `guess ${i}`),
      )
    ).map((r) => r.status);
    expect(countOf(statuses, 401)).toBe(5);
    expect(countOf(statuses, 423)).toBe(25);
  });

  it('still lets the owner in after fewer than 5 failures, and a success starts the count again', async () => {
    await addUser('fine@race.example');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) expect((await login(a, 'fine@race.example', `wrong ${i}`)).status).toBe(401);
      expect((await login(b, 'fine@race.example', PASSWORD)).status).toBe(200);
    }
  });
});
