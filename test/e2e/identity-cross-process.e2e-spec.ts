import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { ChildPlatform, ensureBuilt, startChildPlatform } from '../support/child-platform';

const PASSWORD = 'a long enough password';

/** A revocation made by one process is honoured by another within a second (rule 8). */
describe('revocation across processes', () => {
  let here: TestApp;
  let there: ChildPlatform;
  let slug: string;
  beforeAll(async () => {
    ensureBuilt();
    here = await startTestApp([AuthAppModule]);
    there = await startChildPlatform();
    slug = uniqueSlug('xproc');
    await here.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'ada@xproc.example', password: PASSWORD } });
  }, 120_000);
  afterAll(async () => {
    await there?.kill();
    await here?.close();
  });

  const sessionsThere = (token: string) => fetch(`${there.url}/v1/t/${slug}/sessions`, { headers: { authorization: `Bearer ${token}` } });

  it('refuses, in the other process, a token logged out here', async () => {
    const pair = (await here.call('POST', `/v1/t/${slug}/auth/login`, { email: 'ada@xproc.example', password: PASSWORD }, { auth: false })).body;
    expect((await sessionsThere(pair.access_token)).status).toBe(200);
    expect((await here.call('POST', `/v1/t/${slug}/auth/logout`, undefined, { auth: pair.access_token })).status).toBe(204);
    const started = Date.now();
    const res = await sessionsThere(pair.access_token);
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.code).toBe('auth.session.revoked');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses, here, a refresh token whose family the other process revoked', async () => {
    const pair = (await here.call('POST', `/v1/t/${slug}/auth/login`, { email: 'ada@xproc.example', password: PASSWORD }, { auth: false })).body;
    const out = await fetch(`${there.url}/v1/t/${slug}/auth/logout-all`, { method: 'POST', headers: { authorization: `Bearer ${pair.access_token}` } });
    expect(out.status).toBe(200);
    const refresh = await here.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: pair.refresh_token }, { auth: false });
    expect(refresh.status).toBe(401);
    expect(refresh.body.error.code).toBe('auth.session.revoked');
  });

  it('gives exactly one new pair for 20 concurrent refreshes of one token split over two processes (the row locks serialise them)', async () => {
    const pair = (await here.call('POST', `/v1/t/${slug}/auth/login`, { email: 'ada@xproc.example', password: PASSWORD }, { auth: false })).body;
    const body = JSON.stringify({ refresh_token: pair.refresh_token });
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        if (i % 2) {
          const res = await here.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: pair.refresh_token }, { auth: false });
          return { status: res.status, code: res.body?.error?.code };
        }
        const res = await fetch(`${there.url}/v1/t/${slug}/auth/token/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        return { status: res.status, code: ((await res.json()) as any).error?.code };
      }),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 200).every((r) => r.status === 401 && ['auth.token.reuse_detected', 'auth.session.revoked'].includes(r.code))).toBe(true);
    expect(results.some((r) => r.code === 'auth.token.reuse_detected')).toBe(true);
    const [{ id: tenantId }] = await here.dataSource.query('SELECT id FROM platform.tenants WHERE slug = $1', [slug]);
    const schema = `t_${tenantId.replace(/-/g, '')}`;
    const tokens = await here.dataSource.query(`SELECT status FROM "${schema}".refresh_tokens WHERE session_id = $1`, [pair.session_id]);
    expect(tokens.map((r: { status: string }) => r.status)).toEqual(['revoked', 'revoked']);
  });
});
