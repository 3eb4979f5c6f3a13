import { createHash, randomUUID } from 'node:crypto';
import { RequestContext } from '@credence/context';
import { contractProblems, CredenceCloudEvent } from '@credence/contracts';
import { ApplicationClients } from '@credence/oauth';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { member, onboard, Tenant } from './identity-authz-fixture';

const CALLBACK = 'https://app.example.com/callback';

/**
 * Applications (OAuth clients of a tenant's OpenID Provider): exact redirect URIs, a secret shown once
 * and stored hashed, rotation that ends the old secret, events without secrets, tenant admins only.
 */
describe('applications', () => {
  let t: TestApp;
  let acme: Tenant;
  let other: Tenant;
  let clients: ApplicationClients;
  let context: RequestContext;

  const api = (method: string, path = '', body?: unknown, token: string | false = acme.admin, tenant: Tenant = acme) =>
    t.call(method, `/v1/t/${tenant.slug}/applications${path}`, body, { auth: token });
  const create = async (body: Record<string, unknown>) => {
    const res = await api('POST', '', body);
    expect(res.status).toBe(201);
    return res.body;
  };
  /** What the token endpoint will call: authenticate a confidential client of the tenant in context. */
  const authenticate = (tenant: Tenant, clientId: string, secret: string) =>
    context.runWith({ tenant: { id: tenant.id, slug: tenant.slug, schema: tenant.schema } }, () => clients.authenticate(clientId, secret));
  const rowsOf = (tenant: Tenant) => t.dataSource.query(`SELECT * FROM "${tenant.schema}".applications ORDER BY id`);
  const eventsOf = async (id: string): Promise<CredenceCloudEvent[]> =>
    (await t.dataSource.query(`SELECT event FROM platform.outbox WHERE aggregate = $1 ORDER BY position`, [`application/${id}`])).map(
      (r: { event: CredenceCloudEvent }) => r.event,
    );

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    clients = t.app.get(ApplicationClients);
    context = t.app.get(RequestContext);
    acme = await onboard(t, 'apps');
    other = await onboard(t, 'apps-other');
  });
  afterAll(() => t.close());

  it('creates a confidential application: the secret is in the 201 once, stored as its SHA-256 only, and absent from reads and events', async () => {
    const body = { name: 'Intranet', type: 'confidential', redirect_uris: [CALLBACK, 'http://localhost:3000/cb'], post_logout_redirect_uris: ['https://app.example.com/'] };
    const app = await create(body);
    expect(app).toEqual({
      id: expect.any(String),
      client_id: expect.stringMatching(/^cac_[A-Za-z0-9_-]{22}$/),
      client_secret: expect.stringMatching(/^cas_[A-Za-z0-9_-]{43}$/),
      name: 'Intranet',
      type: 'confidential',
      redirect_uris: [CALLBACK, 'http://localhost:3000/cb'],
      post_logout_redirect_uris: ['https://app.example.com/'],
      connections: null,
      initiate_login_uri: null,
      created_by: `user:${acme.adminId}`,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      secret_rotated_at: null,
    });
    const [row] = (await rowsOf(acme)).filter((r: { id: string }) => r.id === app.id);
    expect(row.secret_hash.equals(createHash('sha256').update(app.client_secret).digest())).toBe(true);
    expect(JSON.stringify(row)).not.toContain(app.client_secret.slice(4));

    const { client_secret: secret, ...shown } = app;
    const one = await api('GET', `/${app.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(shown);
    const listed = await api('GET', '?limit=100');
    expect(listed.body.data.find((a: { id: string }) => a.id === app.id)).toEqual(shown);
    expect(JSON.stringify([one.body, listed.body])).not.toContain(secret);

    const events = await eventsOf(app.id);
    expect(events.map((e) => e.type)).toEqual(['application.created']);
    expect(events[0]).toMatchObject({ subject: `application/${app.id}`, tenantid: acme.id, actor: `user:${acme.adminId}` });
    expect(events[0].data).toEqual({
      application_id: app.id,
      client_id: app.client_id,
      name: 'Intranet',
      type: 'confidential',
      redirect_uris: body.redirect_uris,
      post_logout_redirect_uris: body.post_logout_redirect_uris,
      connections: null,
      initiate_login_uri: null,
    });
    expect(contractProblems(events[0])).toEqual([]);
    expect(JSON.stringify(events)).not.toContain(secret);
    expect(JSON.stringify(events)).not.toContain(row.secret_hash.toString('hex'));

    expect(await authenticate(acme, app.client_id, secret)).toMatchObject({ id: app.id, clientId: app.client_id, type: 'confidential', redirectUris: body.redirect_uris });
    expect(await authenticate(acme, app.client_id, `${secret}x`)).toBeUndefined();
    expect(await authenticate(acme, app.client_id, '')).toBeUndefined();
    expect(await authenticate(acme, 'cac_unknown', secret)).toBeUndefined();
    // A client of one tenant does not exist at another.
    expect(await authenticate(other, app.client_id, secret)).toBeUndefined();
  });

  it('creates a public application without a secret, with native and connection settings', async () => {
    const connections = [randomUUID(), randomUUID()];
    const app = await create({ name: 'Mobile', type: 'public', redirect_uris: ['com.example.app:/oauth2redirect', 'http://127.0.0.1:8400/cb'], connections });
    expect(app).toMatchObject({ type: 'public', connections, post_logout_redirect_uris: [] });
    expect(app).not.toHaveProperty('client_secret');
    const [row] = (await rowsOf(acme)).filter((r: { id: string }) => r.id === app.id);
    expect(row.secret_hash).toBeNull();
    // A public client has no secret, so no secret authenticates it.
    expect(await authenticate(acme, app.client_id, 'anything')).toBeUndefined();
    expect(await context.runWith({ tenant: { id: acme.id, slug: acme.slug, schema: acme.schema } }, () => clients.find(app.client_id))).toMatchObject({
      id: app.id,
      type: 'public',
      connections,
    });
    // An empty list means "only the tenant's own sign-in": distinct from null (every connection).
    expect((await create({ name: 'No IdP', type: 'public', redirect_uris: [CALLBACK], connections: [] })).connections).toEqual([]);
  });

  it('rotates a confidential secret: the new one works, the old one stops at once, and neither is in the event', async () => {
    const app = await create({ name: 'Rotating', type: 'confidential', redirect_uris: [CALLBACK] });
    const rotated = await api('POST', `/${app.id}/secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({
      id: app.id,
      client_id: app.client_id,
      client_secret: expect.stringMatching(/^cas_[A-Za-z0-9_-]{43}$/),
      secret_rotated_at: expect.any(String),
    });
    expect(rotated.body.client_secret).not.toBe(app.client_secret);
    expect(await authenticate(acme, app.client_id, app.client_secret)).toBeUndefined();
    expect(await authenticate(acme, app.client_id, rotated.body.client_secret)).toMatchObject({ id: app.id });
    expect((await api('GET', `/${app.id}`)).body).not.toHaveProperty('client_secret');

    const events = await eventsOf(app.id);
    expect(events.map((e) => e.type)).toEqual(['application.created', 'application.secret_rotated']);
    expect(events[1].data).toEqual({ application_id: app.id, client_id: app.client_id });
    expect(events.flatMap(contractProblems)).toEqual([]);
    expect(JSON.stringify(events)).not.toContain(rotated.body.client_secret);

    const publicApp = await create({ name: 'SPA', type: 'public', redirect_uris: [CALLBACK] });
    const refused = await api('POST', `/${publicApp.id}/secret`);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'application.not_confidential']);
    expect((await eventsOf(publicApp.id)).map((e) => e.type)).toEqual(['application.created']);
  });

  it('updates what is given, emits the fields that changed, and emits nothing for a no-op', async () => {
    const app = await create({ name: 'Portal', type: 'confidential', redirect_uris: [CALLBACK] });
    const connection = randomUUID();
    const res = await api('PATCH', `/${app.id}`, { name: 'Portal 2', redirect_uris: [CALLBACK, 'https://app.example.com/cb2'], connections: [connection] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Portal 2', redirect_uris: [CALLBACK, 'https://app.example.com/cb2'], connections: [connection], type: 'confidential' });
    expect(res.body).not.toHaveProperty('client_secret');
    expect((await api('PATCH', `/${app.id}`, { name: 'Portal 2' })).status).toBe(200);
    expect((await api('PATCH', `/${app.id}`, { connections: null })).body.connections).toBeNull();
    const events = await eventsOf(app.id);
    expect(events.map((e) => [e.type, e.data.changed])).toEqual([
      ['application.created', undefined],
      ['application.updated', ['name', 'redirect_uris', 'connections']],
      ['application.updated', ['connections']],
    ]);
    expect(events.flatMap(contractProblems)).toEqual([]);
    // The secret still works after an update; the type cannot change.
    expect(await authenticate(acme, app.client_id, app.client_secret)).toMatchObject({ id: app.id, redirectUris: [CALLBACK, 'https://app.example.com/cb2'] });
    const typeChange = await api('PATCH', `/${app.id}`, { type: 'public' });
    expect([typeChange.status, typeChange.body.error.code]).toEqual([400, 'validation.failed']);
  });

  it('deletes: the client stops authenticating, the id answers 404 afterwards', async () => {
    const app = await create({ name: 'Doomed', type: 'confidential', redirect_uris: [CALLBACK] });
    expect((await api('DELETE', `/${app.id}`)).status).toBe(204);
    expect(await authenticate(acme, app.client_id, app.client_secret)).toBeUndefined();
    for (const [method, path] of [
      ['GET', ''],
      ['PATCH', ''],
      ['DELETE', ''],
      ['POST', '/secret'],
    ]) {
      const res = await api(method, `/${app.id}${path}`, method === 'PATCH' ? { name: 'x' } : undefined);
      expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 404, 'application.not_found']);
    }
    const events = await eventsOf(app.id);
    expect(events.map((e) => e.type)).toEqual(['application.created', 'application.deleted']);
    expect(events[1].data).toEqual({ application_id: app.id, client_id: app.client_id, name: 'Doomed' });
  });

  it('lists with cursor pagination, oldest first, every application once', async () => {
    for (let i = 0; i < 3; i++) await create({ name: `paged-${i}`, type: 'public', redirect_uris: [CALLBACK] });
    const total = (await rowsOf(acme)).length;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { data: { id: string }[]; meta: { next_cursor: string | null } } } = await api('GET', `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((a) => a.id));
      cursor = page.body.meta.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect([...seen].sort()).toEqual(seen);
  });

  it.each([
    ['a wildcard host', { redirect_uris: ['https://*.example.com/cb'] }, 'redirect_uris[0]', /wildcard/],
    ['a wildcard path', { redirect_uris: ['https://app.example.com/*'] }, 'redirect_uris[0]', /wildcard/],
    ['a fragment', { redirect_uris: ['https://app.example.com/cb#x'] }, 'redirect_uris[0]', /fragment/],
    ['http on a public host', { redirect_uris: ['http://app.example.com/cb'] }, 'redirect_uris[0]', /https/],
    ['a relative URI', { redirect_uris: ['/callback'] }, 'redirect_uris[0]', /absolute/],
    ['javascript:', { redirect_uris: ['javascript:alert(1)'] }, 'redirect_uris[0]', /must use https/],
    ['data:', { redirect_uris: ['data:text/html,hi'] }, 'redirect_uris[0]', /must use https/],
    ['a non-normal form', { redirect_uris: ['https://APP.example.com/cb'] }, 'redirect_uris[0]', /normal form: https:\/\/app\.example\.com\/cb/],
    ['an overlong URI', { redirect_uris: [`https://app.example.com/${'a'.repeat(2000)}`] }, 'redirect_uris', /2000/],
    ['a duplicate', { redirect_uris: [CALLBACK, CALLBACK] }, 'redirect_uris[1]', /twice/],
    ['too many', { redirect_uris: Array.from({ length: 11 }, (_, i) => `https://app.example.com/cb${i}`) }, 'redirect_uris', /10/],
    ['a private-use scheme on a confidential app', { redirect_uris: ['com.example.app:/cb'] }, 'redirect_uris[0]', /public/],
    ['a bad post-logout URI', { redirect_uris: [CALLBACK], post_logout_redirect_uris: ['https://evil.example/*'] }, 'post_logout_redirect_uris[0]', /wildcard/],
    ['a connection that is not an id', { redirect_uris: [CALLBACK], connections: ['okta'] }, 'connections', /connection id/],
  ])('refuses %s with 400 validation.failed and creates nothing', async (_label, fields, field, issue) => {
    const before = (await rowsOf(acme)).length;
    const res = await api('POST', '', { name: 'Bad', type: 'confidential', ...fields });
    expect([res.status, res.body.error?.code]).toEqual([400, 'validation.failed']);
    expect(res.body.error.details).toEqual(expect.arrayContaining([{ field, issue: expect.stringMatching(issue) }]));
    expect((await rowsOf(acme)).length).toBe(before);
  });

  it('refuses bad URIs in a PATCH by the rules of the stored type, and a public app without redirect URIs', async () => {
    const app = await create({ name: 'Native', type: 'public', redirect_uris: ['com.example.app:/cb'] });
    const bad = await api('PATCH', `/${app.id}`, { redirect_uris: ['https://app.example.com/cb#frag'] });
    expect([bad.status, bad.body.error.details]).toEqual([400, [{ field: 'redirect_uris[0]', issue: expect.stringMatching(/fragment/) }]]);
    const empty = await api('PATCH', `/${app.id}`, { redirect_uris: [] });
    expect([empty.status, empty.body.error.details]).toEqual([400, [{ field: 'redirect_uris', issue: expect.stringMatching(/at least one/) }]]);
    expect((await api('GET', `/${app.id}`)).body.redirect_uris).toEqual(['com.example.app:/cb']);
    // A confidential app may have none (client_credentials only).
    expect((await create({ name: 'Machine', type: 'confidential', redirect_uris: [] })).redirect_uris).toEqual([]);
  });

  it('answers hostile values with 400, never 500', async () => {
    const bodies: unknown[] = [
      {},
      ['name'],
      { name: '', type: 'public', redirect_uris: [CALLBACK] },
      { name: 'x'.repeat(101), type: 'public', redirect_uris: [CALLBACK] },
      { name: 'tab\there', type: 'public', redirect_uris: [CALLBACK] },
      { name: 'ok', type: 'both', redirect_uris: [CALLBACK] },
      { name: 'ok', type: 'public', redirect_uris: CALLBACK },
      { name: 'ok', type: 'public', redirect_uris: [42] },
      { name: 'ok', type: 'public', redirect_uris: [{ uri: CALLBACK }] },
      { name: 'ok', type: 'public', redirect_uris: [CALLBACK], connections: 'all' },
      { name: 'ok', type: 'public', redirect_uris: [CALLBACK], connections: [randomUUID().toUpperCase()] },
      { name: 'ok', type: 'public', redirect_uris: [CALLBACK], client_secret: 'mine' },
      { name: 'ok', type: 'public', redirect_uris: ['https://app.example.com/c\u0000b'] },
      { name: 'ok', type: 'public', redirect_uris: ['https://app.example.com/\ud800'] },
      { name: 'ok', type: 'public', redirect_uris: ["https://app.example.com/' OR 1=1 --"] },
    ];
    for (const body of bodies) {
      const res = await api('POST', '', body);
      expect([JSON.stringify(body).slice(0, 80), res.status, res.body.error?.code]).toEqual([JSON.stringify(body).slice(0, 80), 400, 'validation.failed']);
    }
    const app = await create({ name: 'Target', type: 'public', redirect_uris: [CALLBACK] });
    // A malformed id names no application; NUL is refused before routing; an overlong path segment matches no route.
    const ids: [string, number][] = [
      ['not-a-uuid', 404],
      ['9999999999999999999', 404],
      ['%27%20OR%201%3D1%20--', 404],
      ['%00', 400],
      ['x'.repeat(300), 404],
    ];
    for (const [id, status] of ids) {
      for (const [method, path] of [
        ['GET', ''],
        ['PATCH', ''],
        ['DELETE', ''],
        ['POST', '/secret'],
      ]) {
        const res = await api(method, `/${id}${path}`, method === 'PATCH' ? { name: 'x' } : undefined);
        expect([id.slice(0, 20), method, path, res.status]).toEqual([id.slice(0, 20), method, path, status]);
      }
    }
    for (const patch of [{ connections: 'x' }, { redirect_uris: null }, { name: null }, { post_logout_redirect_uris: [null] }]) {
      const res = await api('PATCH', `/${app.id}`, patch);
      expect([JSON.stringify(patch), res.status, res.body.error?.code]).toEqual([JSON.stringify(patch), 400, 'validation.failed']);
    }
    for (const query of ['?limit=0', '?limit=abc', '?cursor=%25%25', '?cursor=bm90LWEtdXVpZA', '?extra=1']) {
      expect((await api('GET', query)).status).toBe(400);
    }
    expect(await authenticate(acme, 'x'.repeat(10_000), 'y')).toBeUndefined();
    expect(await authenticate(acme, "' OR 1=1 --", "' OR 1=1 --")).toBeUndefined();
  });

  it('is for holders of app.manage:any only: a director gets 403, another tenant cannot reach the app', async () => {
    const app = await create({ name: 'Guarded', type: 'confidential', redirect_uris: [CALLBACK] });
    const before = (await rowsOf(acme)).length;
    const director = await member(t, acme, ['director']);
    for (const [method, path, body] of [
      ['POST', '', { name: 'x', type: 'public', redirect_uris: [CALLBACK] }],
      ['GET', '', undefined],
      ['GET', `/${app.id}`, undefined],
      ['PATCH', `/${app.id}`, { name: 'taken' }],
      ['DELETE', `/${app.id}`, undefined],
      ['POST', `/${app.id}/secret`, undefined],
    ] as const) {
      const res = await api(method, path, body, director.token);
      expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 403, 'authz.access.denied']);
    }
    expect((await api('GET', '', undefined, false)).status).toBe(401);
    // Another tenant's admin, at their own tenant, naming this tenant's app id: no such application there.
    for (const [method, path] of [
      ['GET', ''],
      ['PATCH', ''],
      ['DELETE', ''],
      ['POST', '/secret'],
    ]) {
      const res = await api(method, `/${app.id}${path}`, method === 'PATCH' ? { name: 'hijacked' } : undefined, other.admin, other);
      expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 404, 'application.not_found']);
    }
    // ... and their token at this tenant is not valid here.
    expect((await api('GET', `/${app.id}`, undefined, other.admin)).status).toBe(401);
    expect((await rowsOf(acme)).length).toBe(before);
    expect((await api('GET', `/${app.id}`)).body.name).toBe('Guarded');
    expect(await authenticate(acme, app.client_id, app.client_secret)).toMatchObject({ id: app.id });
  });

  it('keeps every update when one application is PATCHed in parallel, field by field', async () => {
    const app = await create({ name: 'Busy', type: 'confidential', redirect_uris: [CALLBACK] });
    for (let round = 0; round < 4; round++) {
      const connection = randomUUID();
      const patches = [
        { name: `Busy ${round}` },
        { redirect_uris: [`https://app.example.com/cb${round}`] },
        { post_logout_redirect_uris: [`https://app.example.com/bye${round}`] },
        { connections: [connection] },
      ];
      const answers = await Promise.all(patches.map((p) => api('PATCH', `/${app.id}`, p)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect((await api('GET', `/${app.id}`)).body).toMatchObject({
        name: `Busy ${round}`,
        redirect_uris: [`https://app.example.com/cb${round}`],
        post_logout_redirect_uris: [`https://app.example.com/bye${round}`],
        connections: [connection],
      });
    }
    const updates = (await eventsOf(app.id)).filter((e) => e.type === 'application.updated');
    expect(updates).toHaveLength(16);
    // Each event shows the application after its own update, on top of every earlier one.
    const last = updates[updates.length - 1].data;
    expect(last).toMatchObject({ name: 'Busy 3', redirect_uris: ['https://app.example.com/cb3'], post_logout_redirect_uris: ['https://app.example.com/bye3'] });
  });

  it('gives tenant_admin app.manage:any, and keeps it out of reach of role managers who lack it', async () => {
    const [admin] = await t.dataSource.query(`SELECT permissions FROM "${acme.schema}".roles WHERE name = 'tenant_admin'`);
    expect(admin.permissions).toContain('app.manage:any');
    const manager = await member(t, acme, []);
    const role = await t.call('POST', `/v1/t/${acme.slug}/roles`, { name: 'role-manager', permissions: ['role.manage:any'] }, { auth: acme.admin });
    expect(role.status).toBe(201);
    expect((await t.call('POST', `/v1/t/${acme.slug}/users/${manager.id}/roles/role-manager`, undefined, { auth: acme.admin })).status).toBe(200);
    // The ceiling is what refuses: the same manager may create a role with a permission they hold.
    expect((await t.call('POST', `/v1/t/${acme.slug}/roles`, { name: 'role-helpers', permissions: ['role.manage:any'] }, { auth: manager.token })).status).toBe(201);
    const escalate = await t.call('POST', `/v1/t/${acme.slug}/roles`, { name: 'app-admins', permissions: ['app.manage:any'] }, { auth: manager.token });
    expect([escalate.status, escalate.body.error.code]).toEqual([403, 'authz.access.denied']);
  });
});
