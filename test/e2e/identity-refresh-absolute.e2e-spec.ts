import { TenantRegistry } from '@credence/tenancy';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

const PASSWORD = 'a long enough password 1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** refresh_token_absolute_seconds: a session's refresh tokens stop working that long after sign-in, however often rotated. */
describe('refresh_token_absolute_seconds', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
  });
  afterAll(() => t.close());

  const onboard = async (settings: Record<string, number>) => {
    const slug = uniqueSlug('rabs');
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, settings, admin: { email: 'root@rabs.example', password: PASSWORD } });
    expect(res.status).toBe(201);
    return { slug, schema: `t_${res.body.id.replace(/-/g, '')}` };
  };
  const login = async (slug: string) => {
    const res = await t.call('POST', `/v1/t/${slug}/auth/login`, { email: 'root@rabs.example', password: PASSWORD }, { auth: false });
    expect(res.status).toBe(200);
    return res.body as { access_token: string; refresh_token: string; session_id: string };
  };
  const refresh = (slug: string, token: string) => t.call('POST', `/v1/t/${slug}/auth/token/refresh`, { refresh_token: token }, { auth: false });
  const deadlines = async (schema: string, sessionId: string) => {
    const [row] = await t.dataSource.query(
      `SELECT extract(epoch FROM absolute_expires_at - created_at)::int AS absolute, extract(epoch FROM idle_expires_at - created_at)::int AS idle, status
         FROM "${schema}".auth_sessions WHERE id = $1`,
      [sessionId],
    );
    return row as { absolute: number; idle: number; status: string };
  };

  it("sets the session's absolute deadline to the earlier of it and session_absolute_seconds", async () => {
    const shorter = await onboard({ refresh_token_absolute_seconds: 600, session_absolute_seconds: 7200 });
    const a = await login(shorter.slug);
    expect(await deadlines(shorter.schema, a.session_id)).toEqual({ absolute: 600, idle: 600, status: 'active' });
    const session = await t.call('GET', `/v1/t/${shorter.slug}/sessions`, undefined, { auth: a.access_token });
    const listed = session.body.data.find((s: { id: string }) => s.id === a.session_id);
    expect(Date.parse(listed.absolute_expires_at) - Date.parse(listed.created_at)).toBe(600_000);

    const longer = await onboard({ refresh_token_absolute_seconds: 7200, session_absolute_seconds: 900, session_idle_seconds: 300 });
    const b = await login(longer.slug);
    expect(await deadlines(longer.schema, b.session_id)).toEqual({ absolute: 900, idle: 300, status: 'active' });
  });

  it('lets refresh tokens rotate before the limit and refuses them after it, whatever the rotations', async () => {
    const { slug, schema } = await onboard({});
    // Below what the API accepts (300), so the wait stays short: written straight to the registry.
    await t.dataSource.query(`UPDATE platform.tenants SET settings = settings || '{"refresh_token_absolute_seconds": 3}' WHERE slug = $1`, [slug]);
    t.app.get(TenantRegistry).forget(slug);

    const started = Date.now();
    const pair = await login(slug);
    const first = await refresh(slug, pair.refresh_token);
    expect(first.status).toBe(200);
    await sleep(1000);
    const second = await refresh(slug, first.body.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.session_id).toBe(pair.session_id);

    await sleep(Math.max(0, started + 3500 - Date.now()));
    const late = await refresh(slug, second.body.refresh_token);
    expect(late.status).toBe(401);
    expect(late.body.error.code).toBe('auth.token.expired');
    expect((await deadlines(schema, pair.session_id)).status).toBe('expired');
    // The session is over: its access tokens are refused from then on.
    const after = await t.call('GET', `/v1/t/${slug}/sessions`, undefined, { auth: second.body.access_token });
    expect(after.body.error.code).toBe('auth.session.revoked');
  });
});
