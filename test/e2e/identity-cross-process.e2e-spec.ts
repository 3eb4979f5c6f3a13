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
});
