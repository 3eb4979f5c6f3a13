import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Platform API keys over HTTP: authentication, scopes, storage, revocation and expiry. */
describe('platform API keys (admin API)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
  });
  afterAll(() => t.close());

  const createKey = async (body: Record<string, unknown>, auth: string = TEST_ADMIN_KEY) => {
    const res = await t.call('POST', '/v1/admin/api-keys', body, { auth });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string; scopes: string[]; name: string; expires_at: string | null; created_by: string };
  };

  const expectError = (res: { status: number; body: any }, status: number, code: string) => {
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
    expect(res.body.error.message).toEqual(expect.any(String));
    expect(res.body.error.trace_id).toMatch(/^[0-9a-f]{32}$/);
  };

  describe('authentication', () => {
    it('answers no Authorization header with 401 auth.missing_credentials', async () => {
      for (const [method, path] of [
        ['GET', '/v1/admin/tenants'],
        ['GET', '/v1/admin/api-keys'],
        ['POST', '/v1/admin/api-keys'],
        ['DELETE', `/v1/admin/api-keys/${randomUUID()}`],
      ]) {
        const res = await t.call(method, path, method === 'POST' ? { name: 'x', scopes: ['tenants:read'] } : undefined, { auth: false });
        expectError(res, 401, 'auth.missing_credentials');
      }
    });

    it.each([
      ['another scheme', `Basic ${Buffer.from('admin:secret').toString('base64')}`],
      ['Bearer without a token', 'Bearer'],
      ['Bearer with an empty token', 'Bearer '],
      ['a token too short to be a key', 'Bearer short'],
      ['a token with a space inside', `Bearer ${TEST_ADMIN_KEY.slice(0, 20)} ${TEST_ADMIN_KEY.slice(20)}`],
      ['another scheme', `Basic ${TEST_ADMIN_KEY}`],
      ['no space after Bearer', `Bearer${TEST_ADMIN_KEY}`],
      ['a non-ASCII token', `Bearer crd_${'é'.repeat(20)}`],
      ['a token over 512 characters', `Bearer crd_${'a'.repeat(600)}`],
    ])('answers a malformed header (%s) with 401 auth.invalid_credentials', async (_, header) => {
      const res = await t.call('GET', '/v1/admin/tenants', undefined, { auth: false, headers: { authorization: header } });
      expectError(res, 401, 'auth.invalid_credentials');
    });

    it('reads the scheme case-insensitively and allows several spaces (RFC 7235)', async () => {
      for (const header of [`bearer ${TEST_ADMIN_KEY}`, `BEARER ${TEST_ADMIN_KEY}`, `Bearer  ${TEST_ADMIN_KEY}`]) {
        const res = await t.call('GET', '/v1/admin/tenants', undefined, { auth: false, headers: { authorization: header } });
        expect(res.status).toBe(200);
      }
    });

    it('sends a WWW-Authenticate challenge with 401', async () => {
      const res = await t.call('GET', '/v1/admin/tenants', undefined, { auth: false });
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="credence-admin"');
    });

    it('answers an unknown key with 401 auth.invalid_credentials', async () => {
      const res = await t.call('GET', '/v1/admin/tenants', undefined, { auth: `crd_${randomBytes(32).toString('base64url')}` });
      expectError(res, 401, 'auth.invalid_credentials');
      const almost = await t.call('GET', '/v1/admin/tenants', undefined, { auth: `${TEST_ADMIN_KEY}x` });
      expectError(almost, 401, 'auth.invalid_credentials');
    });

    it('accepts the bootstrap key', async () => {
      expect((await t.call('GET', '/v1/admin/tenants')).status).toBe(200);
    });
  });

  describe('creating a key', () => {
    let created: Awaited<ReturnType<typeof createKey>>;
    beforeAll(async () => {
      created = await createKey({ name: 'ci-onboarding', scopes: ['tenants:read', 'tenants:write'] });
    });

    it('answers 201 with the key and its secret, shown this once', async () => {
      expect(created).toMatchObject({
        name: 'ci-onboarding',
        scopes: ['tenants:read', 'tenants:write'],
        bootstrap: false,
        expires_at: null,
        revoked_at: null,
        last_used_at: null,
        created_by: expect.stringMatching(/^platform-admin:[0-9a-f-]{36}$/),
      });
      expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(created.secret).toMatch(/^crd_[A-Za-z0-9_-]{43}$/);
    });

    it('records which key created it', async () => {
      const [bootstrap] = await t.dataSource.query('SELECT id FROM platform.api_keys WHERE bootstrap');
      expect(created.created_by).toBe(`platform-admin:${bootstrap.id}`);
    });

    it('stores only the SHA-256 of the secret', async () => {
      const [row] = await t.dataSource.query('SELECT secret_hash, row_to_json(k)::text AS json FROM platform.api_keys k WHERE id = $1', [created.id]);
      expect(Buffer.isBuffer(row.secret_hash)).toBe(true);
      expect(row.secret_hash.equals(sha256(created.secret))).toBe(true);
      expect(row.json).not.toContain(created.secret);
      expect(row.json).not.toContain(created.secret.slice(4)); // without the prefix
      expect(row.json).not.toContain(Buffer.from(created.secret, 'utf8').toString('hex')); // nor as bytea
      const columns = await t.dataSource.query(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = 'platform' AND table_name = 'api_keys' ORDER BY column_name`,
      );
      expect(columns.map((c: { column_name: string }) => c.column_name)).not.toContain('secret');
    });

    it('never shows the secret again: not in the list', async () => {
      const list = await t.call('GET', '/v1/admin/api-keys?limit=100');
      expect(list.status).toBe(200);
      const mine = list.body.data.find((k: { id: string }) => k.id === created.id);
      expect(mine).toMatchObject({ id: created.id, name: 'ci-onboarding', scopes: ['tenants:read', 'tenants:write'] });
      expect(list.body.data.every((k: object) => !('secret' in k) && !('secret_hash' in k))).toBe(true);
      expect(JSON.stringify(list.body)).not.toContain(created.secret);
    });

    it('sets a future expiry as given', async () => {
      const at = new Date(Date.now() + 3600_000);
      at.setMilliseconds(0);
      const key = await createKey({ name: 'expiring', scopes: ['tenants:read'], expires_at: at.toISOString() });
      expect(key.expires_at).toBe(at.toISOString());
      expect((await t.call('GET', '/v1/admin/tenants', undefined, { auth: key.secret })).status).toBe(200);
    });

    it('refuses an expiry in the past with 400 validation.failed naming expires_at, and stores nothing', async () => {
      const before = (await t.dataSource.query('SELECT count(*)::int AS n FROM platform.api_keys'))[0].n;
      const res = await t.call('POST', '/v1/admin/api-keys', { name: 'past', scopes: ['tenants:read'], expires_at: new Date(Date.now() - 60_000).toISOString() });
      expectError(res, 400, 'validation.failed');
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'expires_at' })]));
      const after = (await t.dataSource.query('SELECT count(*)::int AS n FROM platform.api_keys'))[0].n;
      expect(after).toBe(before);
    });

    it('gives every key a different secret', async () => {
      const a = await createKey({ name: 'twin', scopes: ['tenants:read'] });
      const b = await createKey({ name: 'twin', scopes: ['tenants:read'] });
      expect(a.secret).not.toBe(b.secret);
      expect(a.id).not.toBe(b.id);
    });
  });

  describe('scopes', () => {
    let reader: string;
    let writer: string;
    let manager: string;
    beforeAll(async () => {
      reader = (await createKey({ name: 'reader', scopes: ['tenants:read'] })).secret;
      writer = (await createKey({ name: 'writer', scopes: ['tenants:write'] })).secret;
      manager = (await createKey({ name: 'manager', scopes: ['api_keys:manage'] })).secret;
    });

    it('lets a tenants:read key read tenants', async () => {
      const list = await t.call('GET', '/v1/admin/tenants', undefined, { auth: reader });
      expect(list.status).toBe(200);
      expect(list.body.data).toEqual(expect.any(Array));
      const one = await t.call('GET', '/v1/admin/tenants/no-such-tenant-here', undefined, { auth: reader });
      expectError(one, 404, 'tenant.not_found'); // past the guard: the scope was enough
    });

    it.each([
      ['POST', '/v1/admin/tenants', { slug: 'scope-test', name: 'Scope', admin: { email: 'a@scope.example', password: 'a long enough password' } }],
      ['PATCH', '/v1/admin/tenants/no-such-tenant-here', { name: 'x' }],
      ['POST', '/v1/admin/tenants/no-such-tenant-here/suspend', undefined],
      ['POST', '/v1/admin/tenants/no-such-tenant-here/resume', undefined],
      ['DELETE', '/v1/admin/tenants/no-such-tenant-here', undefined],
      ['GET', '/v1/admin/api-keys', undefined],
      ['POST', '/v1/admin/api-keys', { name: 'escalate', scopes: ['api_keys:manage'] }],
      ['DELETE', `/v1/admin/api-keys/${randomUUID()}`, undefined],
    ])('refuses a tenants:read key %s %s with 403 auth.insufficient_scope', async (method, path, body) => {
      const res = await t.call(method, path, body, { auth: reader });
      expectError(res, 403, 'auth.insufficient_scope');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="credence-admin", error="insufficient_scope", scope="[a-z_]+:[a-z]+( [a-z_]+:[a-z]+)*"$/);
    });

    it('does not let a scoped key mint itself more scopes', async () => {
      const before = (await t.dataSource.query('SELECT count(*)::int AS n FROM platform.api_keys'))[0].n;
      const res = await t.call('POST', '/v1/admin/api-keys', { name: 'escalate', scopes: ['tenants:read', 'tenants:write', 'api_keys:manage'] }, { auth: writer });
      expectError(res, 403, 'auth.insufficient_scope');
      expect((await t.dataSource.query('SELECT count(*)::int AS n FROM platform.api_keys'))[0].n).toBe(before);
      const slugs = await t.dataSource.query(`SELECT 1 FROM platform.tenants WHERE slug = 'scope-test'`);
      expect(slugs).toHaveLength(0);
    });

    it('lets a tenants:write key write but not read tenants', async () => {
      const write = await t.call('PATCH', '/v1/admin/tenants/no-such-tenant-here', { name: 'x' }, { auth: writer });
      expectError(write, 404, 'tenant.not_found');
      expectError(await t.call('GET', '/v1/admin/tenants', undefined, { auth: writer }), 403, 'auth.insufficient_scope');
      expectError(await t.call('GET', '/v1/admin/api-keys', undefined, { auth: writer }), 403, 'auth.insufficient_scope');
    });

    it('lets an api_keys:manage key manage keys but not tenants, and grant only the scopes it holds', async () => {
      expect((await t.call('GET', '/v1/admin/api-keys', undefined, { auth: manager })).status).toBe(200);
      const made = await createKey({ name: 'made-by-manager', scopes: ['api_keys:manage'] }, manager);
      expect((await t.call('GET', '/v1/admin/api-keys', undefined, { auth: made.secret })).status).toBe(200);
      expectError(await t.call('GET', '/v1/admin/tenants', undefined, { auth: manager }), 403, 'auth.insufficient_scope');
      const before = (await t.dataSource.query('SELECT count(*)::int AS n FROM platform.api_keys'))[0].n;
      const escalate = await t.call('POST', '/v1/admin/api-keys', { name: 'escalation', scopes: ['tenants:write'] }, { auth: manager });
      expectError(escalate, 403, 'auth.insufficient_scope');
      expect(escalate.body.error.message).toContain('tenants:write');
      expect((await t.dataSource.query('SELECT count(*)::int AS n FROM platform.api_keys'))[0].n).toBe(before);
    });

    it('records platform.api_key.created and .revoked events without the secret', async () => {
      const key = await createKey({ name: 'evented', scopes: ['tenants:read'] });
      expect((await t.call('DELETE', `/v1/admin/api-keys/${key.id}`)).status).toBe(200);
      const rows = await t.dataSource.query(`SELECT type, event FROM platform.outbox WHERE aggregate = $1 ORDER BY position`, [`api_key/${key.id}`]);
      expect(rows.map((r: { type: string }) => r.type)).toEqual(['platform.api_key.created', 'platform.api_key.revoked']);
      expect(rows[0].event).toMatchObject({ tenantid: 'platform', data: { api_key_id: key.id, name: 'evented', scopes: ['tenants:read'] } });
      expect(JSON.stringify(rows)).not.toContain(key.secret);
    });

    it('names the missing scope in the message', async () => {
      const res = await t.call('GET', '/v1/admin/api-keys', undefined, { auth: reader });
      expect(res.body.error.message).toContain('api_keys:manage');
    });

    it('records when a key was last used', async () => {
      const key = await createKey({ name: 'used', scopes: ['tenants:read'] });
      expect((await t.call('GET', '/v1/admin/tenants', undefined, { auth: key.secret })).status).toBe(200);
      let lastUsed: Date | null = null;
      for (let i = 0; i < 50 && !lastUsed; i++) {
        [{ last_used_at: lastUsed }] = await t.dataSource.query('SELECT last_used_at FROM platform.api_keys WHERE id = $1', [key.id]);
        if (!lastUsed) await new Promise((r) => setTimeout(r, 50));
      }
      expect(lastUsed).toBeInstanceOf(Date);
      expect(Math.abs(lastUsed!.getTime() - Date.now())).toBeLessThan(60_000);
    });
  });

  describe('listing', () => {
    it('pages through every key with the cursor, each once, in creation order', async () => {
      const mine = [];
      for (let i = 0; i < 5; i++) mine.push((await createKey({ name: `page-${i}`, scopes: ['tenants:read'] })).id);
      const total = (await t.dataSource.query('SELECT count(*)::int AS n FROM platform.api_keys'))[0].n;
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: any = await t.call('GET', `/v1/admin/api-keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        expect(res.body.meta).toHaveProperty('next_cursor');
        seen.push(...res.body.data.map((k: { id: string }) => k.id));
        cursor = res.body.meta.next_cursor;
        pages++;
        expect(pages).toBeLessThan(1000);
      } while (cursor);
      expect(seen.length).toBeGreaterThanOrEqual(total);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expect.arrayContaining(mine));
      expect(seen).toEqual([...seen].sort());
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(total / 2));
    });

    it('gives next_cursor null on the last page', async () => {
      const res = await t.call('GET', '/v1/admin/api-keys?limit=100');
      expect(res.body.data.length).toBeLessThan(100);
      expect(res.body.meta.next_cursor).toBeNull();
      const bootstrap = res.body.data.filter((k: { bootstrap: boolean }) => k.bootstrap);
      expect(bootstrap).toHaveLength(1);
      expect(bootstrap[0].scopes).toEqual(['tenants:read', 'tenants:write', 'api_keys:manage', 'webhooks:manage']);
    });

    it('defaults to 20 per page', async () => {
      const total = (await t.dataSource.query('SELECT count(*)::int AS n FROM platform.api_keys'))[0].n;
      for (let i = total; i < 21; i++) await createKey({ name: `fill-${i}`, scopes: ['tenants:read'] });
      const res = await t.call('GET', '/v1/admin/api-keys');
      expect(res.body.data).toHaveLength(20);
      expect(res.body.meta.next_cursor).toEqual(expect.any(String));
    });
  });

  describe('revoking', () => {
    it('refuses the key at once, and shows it revoked', async () => {
      const key = await createKey({ name: 'to-revoke', scopes: ['tenants:read'] });
      expect((await t.call('GET', '/v1/admin/tenants', undefined, { auth: key.secret })).status).toBe(200);
      const res = await t.call('DELETE', `/v1/admin/api-keys/${key.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: key.id, name: 'to-revoke', revoked_at: expect.any(String) });
      expect(res.body).not.toHaveProperty('secret');
      expectError(await t.call('GET', '/v1/admin/tenants', undefined, { auth: key.secret }), 401, 'auth.invalid_credentials');
      const [row] = await t.dataSource.query('SELECT revoked_at FROM platform.api_keys WHERE id = $1', [key.id]);
      expect(row.revoked_at.toISOString()).toBe(res.body.revoked_at);
    });

    it('is harmless twice: 200 and the first revocation time is kept', async () => {
      const key = await createKey({ name: 'revoke-twice', scopes: ['tenants:read'] });
      const first = await t.call('DELETE', `/v1/admin/api-keys/${key.id}`);
      await new Promise((r) => setTimeout(r, 20));
      const second = await t.call('DELETE', `/v1/admin/api-keys/${key.id}`);
      expect(second.status).toBe(200);
      expect(second.body.revoked_at).toBe(first.body.revoked_at);
      expectError(await t.call('GET', '/v1/admin/tenants', undefined, { auth: key.secret }), 401, 'auth.invalid_credentials');
    });

    it('stops a revoked manager key from acting, even on itself', async () => {
      const key = await createKey({ name: 'self', scopes: ['api_keys:manage'] });
      expect((await t.call('DELETE', `/v1/admin/api-keys/${key.id}`, undefined, { auth: key.secret })).status).toBe(200);
      expectError(await t.call('POST', '/v1/admin/api-keys', { name: 'after', scopes: ['tenants:read'] }, { auth: key.secret }), 401, 'auth.invalid_credentials');
    });

    it('refuses to revoke the bootstrap key with 409 api_key.immutable, and the key keeps working', async () => {
      const [boot] = await t.dataSource.query('SELECT id FROM platform.api_keys WHERE bootstrap');
      const res = await t.call('DELETE', `/v1/admin/api-keys/${boot.id}`);
      expectError(res, 409, 'api_key.immutable');
      const [row] = await t.dataSource.query('SELECT revoked_at FROM platform.api_keys WHERE id = $1', [boot.id]);
      expect(row.revoked_at).toBeNull();
      expect((await t.call('GET', '/v1/admin/api-keys')).status).toBe(200);
    });

    it('answers an unknown id with 404 api_key.not_found', async () => {
      expectError(await t.call('DELETE', `/v1/admin/api-keys/${randomUUID()}`), 404, 'api_key.not_found');
    });

    it.each(['not-a-uuid', '123', "1' OR '1'='1", '0192a4b1-7c3e-7abc-8def-0123456789ag', '0192a4b1-7c3e-7abc-8def-0123456789ab0'])(
      'answers a non-UUID id %j with 404 api_key.not_found',
      async (id) => {
        expectError(await t.call('DELETE', `/v1/admin/api-keys/${encodeURIComponent(id)}`), 404, 'api_key.not_found');
      },
    );
  });

  describe('expiry', () => {
    it('refuses a key whose expiry has passed with 401', async () => {
      const key = await createKey({ name: 'expires', scopes: ['tenants:read'], expires_at: new Date(Date.now() + 3600_000).toISOString() });
      expect((await t.call('GET', '/v1/admin/tenants', undefined, { auth: key.secret })).status).toBe(200);
      await t.dataSource.query(`UPDATE platform.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [key.id]);
      expectError(await t.call('GET', '/v1/admin/tenants', undefined, { auth: key.secret }), 401, 'auth.invalid_credentials');
    });

    it('refuses a key whose expiry is now', async () => {
      const key = await createKey({ name: 'expires-now', scopes: ['tenants:read'] });
      await t.dataSource.query('UPDATE platform.api_keys SET expires_at = now() WHERE id = $1', [key.id]);
      expectError(await t.call('GET', '/v1/admin/tenants', undefined, { auth: key.secret }), 401, 'auth.invalid_credentials');
    });
  });
});

describe('platform API keys cannot reach past the key that manages them', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
  });
  afterAll(() => t.close());

  it('cannot revoke a key holding scopes the revoker lacks, nor create keys that outlive it', async () => {
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const manager = (await t.call('POST', '/v1/admin/api-keys', { name: 'mgr', scopes: ['api_keys:manage'], expires_at: soon })).body;
    const writer = (await t.call('POST', '/v1/admin/api-keys', { name: 'w', scopes: ['tenants:write'] })).body;
    const revoke = await t.call('DELETE', `/v1/admin/api-keys/${writer.id}`, undefined, { auth: manager.secret });
    expect(revoke.status).toBe(403);
    expect(revoke.body.error.code).toBe('auth.insufficient_scope');
    const forever = await t.call('POST', '/v1/admin/api-keys', { name: 'forever', scopes: ['api_keys:manage'] }, { auth: manager.secret });
    expect(forever.status).toBe(400);
    expect(forever.body.error.details[0].field).toBe('expires_at');
    const shorter = await t.call(
      'POST',
      '/v1/admin/api-keys',
      { name: 'shorter', scopes: ['api_keys:manage'], expires_at: new Date(Date.now() + 60_000).toISOString() },
      { auth: manager.secret },
    );
    expect(shorter.status).toBe(201);
  });
});
