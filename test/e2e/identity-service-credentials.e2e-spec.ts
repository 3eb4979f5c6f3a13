import { createHash } from 'node:crypto';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { ServiceCredentialPermissions1732560000010 } from '../../migrations/tenant/1732560000010-service-credential-permissions';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

const PASSWORD = 'a long enough password';

/** Service credentials: created with the secret shown once, stored hashed, listed, revoked; for tenant admins only. */
describe('service credentials', () => {
  let t: TestApp;
  let slug: string;
  let tenantId: string;
  let schema: string;
  let admin: { access_token: string; user: { id: string } };
  let employee: { access_token: string };
  let otherAdmin: { access_token: string };

  const login = async (tenantSlug: string, email: string) => (await t.call('POST', `/v1/t/${tenantSlug}/auth/login`, { email, password: PASSWORD }, { auth: false })).body;
  const api = (method: string, path = '', body?: unknown, token: string | false = admin.access_token) =>
    t.call(method, `/v1/t/${slug}/service-credentials${path}`, body, { auth: token });

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    slug = uniqueSlug('svc');
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'admin@svc.example', password: PASSWORD } });
    tenantId = res.body.id;
    schema = `t_${tenantId.replace(/-/g, '')}`;
    await t.dataSource.query(
      `INSERT INTO "${schema}".users (id, email, password_hash, status) SELECT gen_random_uuid(), 'emp@svc.example', password_hash, 'active' FROM "${schema}".users WHERE email = 'admin@svc.example'`,
    );
    await t.dataSource.query(
      `INSERT INTO "${schema}".user_roles (user_id, role_id) SELECT u.id, r.id FROM "${schema}".users u, "${schema}".roles r WHERE u.email = 'emp@svc.example' AND r.name = 'employee'`,
    );
    const other = uniqueSlug('svc-other');
    await t.call('POST', '/v1/admin/tenants', { slug: other, name: other, admin: { email: 'admin@svc-other.example', password: PASSWORD } });
    admin = await login(slug, 'admin@svc.example');
    employee = await login(slug, 'emp@svc.example');
    otherAdmin = await login(other, 'admin@svc-other.example');
  });
  afterAll(() => t.close());

  const count = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM "${schema}".service_credentials`))[0].n as number;
  const eventsOf = (id: string) =>
    t.dataSource.query(`SELECT type, event FROM platform.outbox WHERE tenant_id = $1 AND aggregate = $2 ORDER BY position`, [tenantId, `service_credential/${id}`]);

  it('creates a credential, shows the secret once and stores only its SHA-256', async () => {
    const res = await api('POST', '', { name: 'billing-service' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      client_id: expect.stringMatching(/^csc_[A-Za-z0-9_-]{22}$/),
      client_secret: expect.stringMatching(/^css_[A-Za-z0-9_-]{43}$/),
      name: 'billing-service',
      // Left out: what every credential could do before credentials had permissions.
      permissions: ['token.introspect', 'token.revoke', 'permission.check'],
      created_by: `user:${admin.user.id}`,
      created_at: expect.any(String),
      revoked_at: null,
      last_used_at: null,
    });
    const [row] = await t.dataSource.query(`SELECT * FROM "${schema}".service_credentials WHERE id = $1`, [res.body.id]);
    expect(row.secret_hash.equals(createHash('sha256').update(res.body.client_secret).digest())).toBe(true);
    expect(JSON.stringify(row)).not.toContain(res.body.client_secret.slice(4));

    const listed = await api('GET');
    const mine = listed.body.data.find((c: { id: string }) => c.id === res.body.id);
    expect(mine).toEqual({ ...res.body, client_secret: undefined });
    expect(JSON.stringify(listed.body)).not.toContain(res.body.client_secret);

    const events = await eventsOf(res.body.id);
    expect(events.map((e: { type: string }) => e.type)).toEqual(['service_credential.created']);
    expect(events[0].event.data).toEqual({ service_credential_id: res.body.id, client_id: res.body.client_id, name: 'billing-service' });
    expect(events[0].event.actor).toBe(`user:${admin.user.id}`);
    expect(JSON.stringify(events)).not.toContain(res.body.client_secret);
  });

  it('lists with cursor pagination, oldest first, every credential once', async () => {
    for (let i = 0; i < 3; i++) expect((await api('POST', '', { name: `paged-${i}` })).status).toBe(201);
    const total = await count();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { data: { id: string }[]; meta: { next_cursor: string | null } } } = await api('GET', `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((c) => c.id));
      cursor = page.body.meta.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect([...seen].sort()).toEqual(seen);
  });

  it('revokes a credential once: the second DELETE answers the same and emits nothing', async () => {
    const created = (await api('POST', '', { name: 'to-revoke' })).body;
    const first = await api('DELETE', `/${created.id}`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: created.id, client_id: created.client_id, revoked_at: expect.any(String) });
    expect(first.body.client_secret).toBeUndefined();
    const second = await api('DELETE', `/${created.id}`);
    expect(second.status).toBe(200);
    expect(second.body.revoked_at).toBe(first.body.revoked_at);
    expect((await eventsOf(created.id)).map((e: { type: string }) => e.type)).toEqual(['service_credential.created', 'service_credential.revoked']);
    const listed = (await api('GET', '?limit=100')).body.data.find((c: { id: string }) => c.id === created.id);
    expect(listed.revoked_at).toBe(first.body.revoked_at);
  });

  it('answers 404 service_credential.not_found for an unknown or malformed id', async () => {
    for (const id of ['0190f5a0-0000-7000-8000-000000000000', 'not-a-uuid']) {
      const res = await api('DELETE', `/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('service_credential.not_found');
    }
  });

  it('is for holders of service_credential.manage:any only, and only at their own tenant', async () => {
    const before = await count();
    const denied = await api('POST', '', { name: 'sneaky' }, employee.access_token);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('authz.access.denied');
    expect((await api('GET', '', undefined, employee.access_token)).status).toBe(403);
    const anonymous = await api('GET', '', undefined, false);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('auth.missing_credentials');
    const foreign = await api('POST', '', { name: 'cross-tenant' }, otherAdmin.access_token);
    expect(foreign.status).toBe(401);
    expect(foreign.body.error.code).toBe('auth.token.invalid');
    expect(await count()).toBe(before);
  });

  it('refuses bad input with the error envelope and changes nothing', async () => {
    const before = await count();
    const bodies: unknown[] = [
      {},
      { name: '' },
      { name: null },
      { name: 42 },
      { name: 'x'.repeat(101) },
      { name: 'ok', extra: true },
      { name: 'tab\there' },
      ['name'],
      { name: 'ok', permissions: null },
      { name: 'ok', permissions: [] },
      { name: 'ok', permissions: 'token.introspect' },
      { name: 'ok', permissions: ['token.introspect', 'token.introspect'] },
      { name: 'ok', permissions: ['user.read'] },
      { name: 'ok', permissions: ['token.introspect:any'] },
      { name: 'ok', permissions: ['TOKEN.INTROSPECT'] },
      { name: 'ok', permissions: [42] },
    ];
    for (const body of bodies) {
      const res = await api('POST', '', body);
      expect([body, res.status, res.body.error.code]).toEqual([body, 400, 'validation.failed']);
      expect(res.body.error.trace_id).toMatch(/^[0-9a-f]{32}$/);
    }
    for (const query of ['?limit=0', '?limit=101', '?limit=abc', '?cursor=%25%25', '?cursor=bm90LWEtdXVpZA', '?extra=1']) {
      const res = await api('GET', query);
      expect([query, res.status, res.body.error.code]).toEqual([query, 400, 'validation.failed']);
    }
    expect((await api('POST', '', '{"name": ')).body.error.code).toBe('request.malformed');
    const form = await t.call('POST', `/v1/t/${slug}/service-credentials`, 'name=x', {
      auth: admin.access_token,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(await count()).toBe(before);
  });
  describe('permissions of a credential', () => {
    const FORM = 'application/x-www-form-urlencoded';
    const basic = (c: { client_id: string; client_secret: string }) => `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;
    const asService = async (c: { client_id: string; client_secret: string }, route: string, body: Record<string, string>, json = false) => {
      const res = await fetch(`${t.url}/v1/t/${slug}/${route}`, {
        method: 'POST',
        headers: { authorization: basic(c), 'content-type': json ? 'application/json' : FORM },
        body: json ? JSON.stringify(body) : new URLSearchParams(body).toString(),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    const denials = async (credentialId: string) =>
      (
        await t.dataSource.query(
          `SELECT event->'data' AS data FROM platform.outbox WHERE tenant_id = $1 AND type = 'authz.access.denied' AND event->>'actor' = $2 ORDER BY position`,
          [tenantId, `service:${credentialId}`],
        )
      ).map((r: { data: unknown }) => r.data);

    it('stores the permissions chosen at creation and shows them when listed', async () => {
      const res = await api('POST', '', { name: 'auditor', permissions: ['audit.write', 'token.introspect'] });
      expect(res.status).toBe(201);
      expect(res.body.permissions).toEqual(['audit.write', 'token.introspect']);
      const [row] = await t.dataSource.query(`SELECT permissions FROM "${schema}".service_credentials WHERE id = $1`, [res.body.id]);
      expect(row.permissions).toEqual(['audit.write', 'token.introspect']);
      const listed = (await api('GET', '?limit=100')).body.data.find((c: { id: string }) => c.id === res.body.id);
      expect(listed.permissions).toEqual(['audit.write', 'token.introspect']);
    });

    it('lets a credential do only what it holds: introspect, revoke and check permissions each need their own', async () => {
      const introspector = (await api('POST', '', { name: 'introspector', permissions: ['token.introspect'] })).body;
      const revoker = (await api('POST', '', { name: 'revoker', permissions: ['token.revoke'] })).body;
      const checker = (await api('POST', '', { name: 'checker', permissions: ['permission.check'] })).body;
      const writer = (await api('POST', '', { name: 'writer', permissions: ['audit.write', 'sync.write'] })).body;
      const victim = await login(slug, 'emp@svc.example');
      const check = { user_id: admin.user.id, resource: 'user', action: 'read' };

      expect(await asService(introspector, 'auth/introspect', { token: victim.access_token })).toMatchObject({ status: 200, body: { active: true } });
      for (const c of [revoker, checker, writer]) {
        const res = await asService(c, 'auth/introspect', { token: victim.access_token });
        expect([c.name, res.status, res.body.error.code]).toEqual([c.name, 403, 'authz.access.denied']);
        expect(JSON.stringify(res.body)).not.toContain('active');
      }
      for (const c of [introspector, checker, writer]) {
        const res = await asService(c, 'auth/revoke', { token: victim.access_token });
        expect([c.name, res.status, res.body.error.code]).toEqual([c.name, 403, 'authz.access.denied']);
      }
      expect((await t.call('GET', `/v1/t/${slug}/sessions`, undefined, { auth: victim.access_token })).status).toBe(200);
      for (const c of [introspector, revoker, writer]) {
        const res = await asService(c, 'permissions/check', check, true);
        expect([c.name, res.status, res.body.error.code]).toEqual([c.name, 403, 'authz.access.denied']);
      }
      expect(await asService(checker, 'permissions/check', check, true)).toMatchObject({ status: 200, body: { allowed: true } });
      expect(await denials(writer.id)).toEqual([
        { user_id: null, resource: 'token', action: 'introspect', reason: 'no_permission' },
        { user_id: null, resource: 'token', action: 'revoke', reason: 'no_permission' },
        { user_id: null, resource: 'permission', action: 'check', reason: 'no_permission' },
      ]);

      expect((await asService(revoker, 'auth/revoke', { token: victim.access_token })).status).toBe(200);
      const refused = await t.call('GET', `/v1/t/${slug}/sessions`, undefined, { auth: victim.access_token });
      expect([refused.status, refused.body.error.code]).toEqual([401, 'auth.session.revoked']);
    });

    it('a bad secret is still 401 auth.invalid_client, before any permission is looked at', async () => {
      const introspector = (await api('POST', '', { name: 'introspector-2', permissions: ['token.introspect'] })).body;
      const res = await asService(
        { ...introspector, client_secret: `${introspector.client_secret.slice(0, -1)}${introspector.client_secret.endsWith('x') ? 'y' : 'x'}` },
        'auth/introspect',
        { token: 'x' },
      );
      expect([res.status, res.body.error.code]).toEqual([401, 'auth.invalid_client']);
    });

    it('migrates credentials that existed to what they could do before: introspect, revoke, check permissions', async () => {
      const scratch = `scratch_${Date.now()}`;
      const runner = t.dataSource.createQueryRunner();
      try {
        await runner.query(`CREATE SCHEMA ${scratch}`);
        await runner.query(`SET search_path TO ${scratch}`);
        await runner.query(`CREATE TABLE service_credentials (id uuid PRIMARY KEY, client_id text NOT NULL UNIQUE, name text NOT NULL, secret_hash bytea NOT NULL,
          created_by text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), revoked_at timestamptz, last_used_at timestamptz)`);
        await runner.query(`INSERT INTO service_credentials (id, client_id, name, secret_hash, created_by) VALUES (gen_random_uuid(), 'csc_old', 'old', '\\x00', 'user:x')`);
        await new ServiceCredentialPermissions1732560000010().up(runner);
        expect(await runner.query(`SELECT permissions FROM service_credentials`)).toEqual([{ permissions: ['token.introspect', 'token.revoke', 'permission.check'] }]);
        await runner.query(`INSERT INTO service_credentials (id, client_id, name, secret_hash, created_by) VALUES (gen_random_uuid(), 'csc_new', 'new', '\\x00', 'user:x')`);
        expect(await runner.query(`SELECT permissions FROM service_credentials WHERE client_id = 'csc_new'`)).toEqual([{ permissions: [] }]);
        await expect(runner.query(`UPDATE service_credentials SET permissions = ARRAY['user.delete']`)).rejects.toThrow(/service_credentials_permissions_known/);
      } finally {
        await runner.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE`);
        await runner.query('RESET search_path');
        await runner.release();
      }
    });
  });
});
