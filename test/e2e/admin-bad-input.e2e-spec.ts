import { randomUUID } from 'node:crypto';
import { dropDatabase, ensureDatabase } from '@credence/database';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

/**
 * Bad input on every platform admin endpoint: the documented status and code in the error
 * envelope, the offending field named, and nothing changed anywhere.
 *
 * This file runs its app on a database of its own (and a Redis prefix of its own), so that the
 * "nothing changed" counts are exact even while other test files onboard tenants in parallel.
 */

interface Case {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** A value is sent as JSON; a string is sent as the raw body. */
  body?: unknown;
  status: number;
  code: string;
  /** The field that details must name (validation.failed only). */
  field?: string;
}

const existing = 'bad-input-existing';
const TENANTS = '/v1/admin/tenants';
const KEYS = '/v1/admin/api-keys';
const PASSWORD = 'a long enough password';
const validTenant = (over: Record<string, unknown> = {}) => ({
  slug: 'bad-input-new',
  name: 'Bad Input',
  admin: { email: 'admin@bad-input.example', password: PASSWORD },
  ...over,
});
const withAdmin = (admin: Record<string, unknown>) => validTenant({ admin });
const withSettings = (settings: unknown) => validTenant({ settings });
const domainsOf = (n: number) => Array.from({ length: n }, (_, i) => `d${i}.bad-input.example`);
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

const bad = (name: string, method: Case['method'], path: string, body: unknown, field?: string): Case => ({
  name,
  method,
  path,
  body,
  status: 400,
  code: 'validation.failed',
  field,
});

const onboardCases: Case[] = [
  // missing required fields
  bad('no slug', 'POST', TENANTS, { name: 'x', admin: { email: 'a@x.example' } }, 'slug'),
  bad('no name', 'POST', TENANTS, { slug: 'bad-input-new', admin: { email: 'a@x.example' } }, 'name'),
  bad('no admin', 'POST', TENANTS, { slug: 'bad-input-new', name: 'x' }, 'admin'),
  bad('admin without email', 'POST', TENANTS, withAdmin({ password: PASSWORD }), 'admin.email'),
  bad('empty object', 'POST', TENANTS, {}, 'slug'),
  // wrong types
  bad('slug a number', 'POST', TENANTS, validTenant({ slug: 12345 }), 'slug'),
  bad('slug an array', 'POST', TENANTS, validTenant({ slug: ['acme'] }), 'slug'),
  bad('slug null', 'POST', TENANTS, validTenant({ slug: null }), 'slug'),
  bad('name a number', 'POST', TENANTS, validTenant({ name: 42 }), 'name'),
  bad('name an object', 'POST', TENANTS, validTenant({ name: { first: 'x' } }), 'name'),
  bad('admin a string', 'POST', TENANTS, validTenant({ admin: 'admin@x.example' }), 'admin'),
  bad('admin an array', 'POST', TENANTS, validTenant({ admin: [{ email: 'a@x.example' }] }), 'admin'),
  bad('admin empty', 'POST', TENANTS, validTenant({ admin: {} }), 'admin.email'),
  bad('password a number', 'POST', TENANTS, withAdmin({ email: 'a@x.example', password: 123456789012345 }), 'admin.password'),
  bad('domains a string', 'POST', TENANTS, validTenant({ domains: 'acme.example' }), 'domains'),
  bad('domains with a number', 'POST', TENANTS, validTenant({ domains: [42] }), 'domains'),
  bad('settings a string', 'POST', TENANTS, withSettings('fast'), 'settings'),
  // (own slugs, so that one case wrongly accepted cannot turn the next into a 409)
  bad('settings an array', 'POST', TENANTS, validTenant({ slug: 'bad-input-array', settings: [{ access_token_ttl_seconds: 600 }] }), 'settings'),
  bad('settings an empty array', 'POST', TENANTS, validTenant({ slug: 'bad-input-empty-array', settings: [] }), 'settings'),
  // unknown fields, at every level
  bad('unknown top-level field', 'POST', TENANTS, validTenant({ plan: 'enterprise' }), 'plan'),
  bad('unknown field in admin', 'POST', TENANTS, withAdmin({ email: 'a@x.example', role: 'owner' }), 'admin.role'),
  bad('status smuggled in', 'POST', TENANTS, validTenant({ status: 'active' }), 'status'),
  bad('id smuggled in', 'POST', TENANTS, validTenant({ id: randomUUID() }), 'id'),
  bad('schema_name smuggled in', 'POST', TENANTS, validTenant({ schema_name: 'public' }), 'schema_name'),
  // slugs off the pattern
  ...[
    ['uppercase', 'Acme'],
    ['all caps', 'ACME'],
    ['one character', 'a'],
    ['64 characters', `a${'b'.repeat(63)}`],
    ['leading digit', '1acme'],
    ['leading hyphen', '-acme'],
    ['underscore', 'acme_corp'],
    ['dot', 'acme.corp'],
    ['space', 'acme corp'],
    ['slash', 'acme/corp'],
    ['unicode letter', 'café'],
    ['unicode look-alike', 'аcme'], // Cyrillic а
    ['empty', ''],
    ['trailing newline', 'acme\n'],
    ['sql', "acme'; drop schema platform; --"],
  ].map(([what, slug]) => bad(`slug: ${what}`, 'POST', TENANTS, validTenant({ slug }), 'slug')),
  // reserved slugs
  ...['admin', 'platform', 'public', 'pg-anything', 'pg-catalog', 'api', 'tenants', 'well-known', 'information-schema', 'acme-'].map((slug) =>
    bad(`reserved slug ${slug}`, 'POST', TENANTS, validTenant({ slug }), 'slug'),
  ),
  // e-mail
  ...[
    ['no at', 'not-an-email'],
    ['no domain', 'ada@'],
    ['no local part', '@acme.example'],
    ['no TLD', 'ada@localhost'],
    ['IP domain', 'ada@[127.0.0.1]'],
    ['display name', 'Ada <ada@acme.example>'],
    ['two ats', 'ada@@acme.example'],
    ['spaces inside', 'ada lovelace@acme.example'],
    ['too long', `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.example`],
    ['empty', ''],
  ].map(([what, email]) => bad(`email: ${what}`, 'POST', TENANTS, withAdmin({ email, password: PASSWORD }), 'admin.email')),
  bad('email a number', 'POST', TENANTS, withAdmin({ email: 42 }), 'admin.email'),
  // passwords
  bad('password of 11 characters', 'POST', TENANTS, withAdmin({ email: 'a@x.example', password: 'a'.repeat(11) }), 'admin.password'),
  bad('password empty', 'POST', TENANTS, withAdmin({ email: 'a@x.example', password: '' }), 'admin.password'),
  bad('password of 257 characters', 'POST', TENANTS, withAdmin({ email: 'a@x.example', password: 'a'.repeat(257) }), 'admin.password'),
  // names
  bad('name empty', 'POST', TENANTS, validTenant({ name: '' }), 'name'),
  bad('name only spaces', 'POST', TENANTS, validTenant({ name: '   ' }), 'name'),
  bad('name of 201 characters', 'POST', TENANTS, validTenant({ name: 'n'.repeat(201) }), 'name'),
  // domains
  ...[
    ['no TLD', ['localhost']],
    ['IP address', ['127.0.0.1']],
    ['URL', ['https://acme.example']],
    ['e-mail address', ['ada@acme.example']],
    ['wildcard', ['*.acme.example']],
    ['underscore', ['my_host.acme.example']],
    ['empty string', ['']],
    ['label over 63', [`${'a'.repeat(64)}.example`]],
    ['over 253 characters', [`${Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.')}.example`]],
    ['duplicates', ['acme.example', 'acme.example']],
    ['duplicates after lower-casing', ['acme.example', 'ACME.example']],
    ['51 of them', domainsOf(51)],
  ].map(([what, domains]) => bad(`domains: ${what}`, 'POST', TENANTS, validTenant({ domains }), 'domains')),
  // settings
  ...[
    ['access_token_ttl_seconds', 59],
    ['access_token_ttl_seconds', 86401],
    ['access_token_ttl_seconds', 600.5],
    ['access_token_ttl_seconds', '600'],
    ['access_token_ttl_seconds', -1],
    ['refresh_token_idle_seconds', 299],
    ['refresh_token_absolute_seconds', 31_536_001],
    ['session_idle_seconds', 7_776_001],
    ['session_absolute_seconds', 0],
    ['password_min_length', 7],
    ['password_min_length', 129],
    ['lockout_seconds', 86401],
    ['default_locale', 'EN'],
    ['default_locale', 'en_US'],
    ['default_locale', 42],
    ['login_logo_url', 'http://cdn.example/logo.png'],
    ['login_logo_url', 'javascript:alert(1)'],
    ['login_logo_url', 'https://user:pw@cdn.example/logo.png'],
    ['login_logo_url', 'https://cdn.example/a b.png'],
    ['login_logo_url', `https://cdn.example/${'a'.repeat(2030)}`],
    ['login_logo_url', 42],
    ['login_primary_color', 'red'],
    ['login_primary_color', '#fff'],
    ['login_primary_color', '#12345g'],
    ['login_primary_color', '#123456;}'],
  ].map(([key, value]) => bad(`settings.${key} = ${JSON.stringify(value)}`, 'POST', TENANTS, withSettings({ [key as string]: value }), `settings.${key}`)),
  bad('unknown setting key', 'POST', TENANTS, withSettings({ mfa_required: true }), 'settings.mfa_required'),
  // bodies that are not an object
  bad('JSON array body', 'POST', TENANTS, [validTenant()]),
  bad('empty JSON array body', 'POST', TENANTS, []),
  bad('null body', 'POST', TENANTS, 'null'),
  bad('string body', 'POST', TENANTS, '"acme"'),
  bad('number body', 'POST', TENANTS, '42'),
];

const listTenantCases: Case[] = [
  ...['0', '101', 'abc', '-1', '1.5', '1e3', ''].map((limit) => bad(`tenants: limit=${JSON.stringify(limit)}`, 'GET', `${TENANTS}?limit=${limit}`, undefined, 'limit')),
  bad('tenants: two limits', 'GET', `${TENANTS}?limit=1&limit=2`, undefined, 'limit'),
  bad('tenants: cursor not base64url', 'GET', `${TENANTS}?cursor=${encodeURIComponent('abc+/=')}`, undefined, 'cursor'),
  bad('tenants: cursor too long', 'GET', `${TENANTS}?cursor=${'a'.repeat(101)}`, undefined, 'cursor'),
  bad('tenants: cursor of garbage', 'GET', `${TENANTS}?cursor=zzzzzzzz`, undefined, 'cursor'),
  bad('tenants: cursor of a non-UUID', 'GET', `${TENANTS}?cursor=${b64("x' OR 1=1 --")}`, undefined, 'cursor'),
  bad('tenants: cursor of an upper-case UUID', 'GET', `${TENANTS}?cursor=${b64(randomUUID().toUpperCase())}`, undefined, 'cursor'),
  bad('tenants: status unknown', 'GET', `${TENANTS}?status=bogus`, undefined, 'status'),
  bad('tenants: status upper-case', 'GET', `${TENANTS}?status=ACTIVE`, undefined, 'status'),
  bad('tenants: two statuses', 'GET', `${TENANTS}?status=active&status=suspended`, undefined, 'status'),
  bad('tenants: unknown query parameter', 'GET', `${TENANTS}?sort=slug`, undefined, 'sort'),
];

const updateCases: Case[] = [
  bad('name empty', 'PATCH', `${TENANTS}/${existing}`, { name: '' }, 'name'),
  bad('name only spaces', 'PATCH', `${TENANTS}/${existing}`, { name: '  ' }, 'name'),
  bad('name of 201 characters', 'PATCH', `${TENANTS}/${existing}`, { name: 'n'.repeat(201) }, 'name'),
  bad('name a number', 'PATCH', `${TENANTS}/${existing}`, { name: 7 }, 'name'),
  bad('name null', 'PATCH', `${TENANTS}/${existing}`, { name: null }, 'name'),
  bad('domains a string', 'PATCH', `${TENANTS}/${existing}`, { domains: 'acme.example' }, 'domains'),
  bad('domains null', 'PATCH', `${TENANTS}/${existing}`, { domains: null }, 'domains'),
  bad('domains not FQDN', 'PATCH', `${TENANTS}/${existing}`, { domains: ['not a domain'] }, 'domains'),
  bad('domains duplicated', 'PATCH', `${TENANTS}/${existing}`, { domains: ['x.example', 'X.example'] }, 'domains'),
  bad('domains 51', 'PATCH', `${TENANTS}/${existing}`, { domains: domainsOf(51) }, 'domains'),
  bad('settings out of range', 'PATCH', `${TENANTS}/${existing}`, { settings: { lockout_seconds: 5 } }, 'settings.lockout_seconds'),
  bad('settings of the wrong type', 'PATCH', `${TENANTS}/${existing}`, { settings: { password_min_length: '14' } }, 'settings.password_min_length'),
  bad('unknown setting key', 'PATCH', `${TENANTS}/${existing}`, { settings: { superuser: true } }, 'settings.superuser'),
  bad('settings an array', 'PATCH', `${TENANTS}/${existing}`, { settings: [{ lockout_seconds: 120 }] }, 'settings'),
  bad('settings a number', 'PATCH', `${TENANTS}/${existing}`, { settings: 3 }, 'settings'),
  bad('unknown field', 'PATCH', `${TENANTS}/${existing}`, { status: 'deleted' }, 'status'),
  bad('slug change attempted', 'PATCH', `${TENANTS}/${existing}`, { slug: 'renamed' }, 'slug'),
  bad('valid change with an unknown field', 'PATCH', `${TENANTS}/${existing}`, { name: 'Changed', owner: 'x' }, 'owner'),
  bad('JSON array body', 'PATCH', `${TENANTS}/${existing}`, [{ name: 'Changed' }]),
  bad('null body', 'PATCH', `${TENANTS}/${existing}`, 'null'),
  bad('string body', 'PATCH', `${TENANTS}/${existing}`, '"Changed"'),
];

const apiKeyCases: Case[] = [
  bad('no name', 'POST', KEYS, { scopes: ['tenants:read'] }, 'name'),
  bad('no scopes', 'POST', KEYS, { name: 'k' }, 'scopes'),
  bad('name empty', 'POST', KEYS, { name: '', scopes: ['tenants:read'] }, 'name'),
  bad('name of 101 characters', 'POST', KEYS, { name: 'k'.repeat(101), scopes: ['tenants:read'] }, 'name'),
  bad('name a number', 'POST', KEYS, { name: 5, scopes: ['tenants:read'] }, 'name'),
  bad('scopes a string', 'POST', KEYS, { name: 'k', scopes: 'tenants:read' }, 'scopes'),
  bad('scopes empty', 'POST', KEYS, { name: 'k', scopes: [] }, 'scopes'),
  bad('scope unknown', 'POST', KEYS, { name: 'k', scopes: ['root'] }, 'scopes'),
  bad('scope wildcard', 'POST', KEYS, { name: 'k', scopes: ['*'] }, 'scopes'),
  bad('scope upper-case', 'POST', KEYS, { name: 'k', scopes: ['TENANTS:READ'] }, 'scopes'),
  bad('scope duplicated', 'POST', KEYS, { name: 'k', scopes: ['tenants:read', 'tenants:read'] }, 'scopes'),
  bad('scope a number', 'POST', KEYS, { name: 'k', scopes: [1] }, 'scopes'),
  bad('expires_at not a date', 'POST', KEYS, { name: 'k', scopes: ['tenants:read'], expires_at: 'tomorrow' }, 'expires_at'),
  bad('expires_at a number', 'POST', KEYS, { name: 'k', scopes: ['tenants:read'], expires_at: Date.now() + 3600_000 }, 'expires_at'),
  bad('expires_at impossible date', 'POST', KEYS, { name: 'k', scopes: ['tenants:read'], expires_at: '2099-02-30T00:00:00Z' }, 'expires_at'),
  bad('expires_at in the past', 'POST', KEYS, { name: 'k', scopes: ['tenants:read'], expires_at: '2001-01-01T00:00:00Z' }, 'expires_at'),
  bad('unknown field', 'POST', KEYS, { name: 'k', scopes: ['tenants:read'], bootstrap: true }, 'bootstrap'),
  bad('secret smuggled in', 'POST', KEYS, { name: 'k', scopes: ['tenants:read'], secret: 'crd_chosen_by_the_caller_0123456789' }, 'secret'),
  bad('JSON array body', 'POST', KEYS, [{ name: 'k', scopes: ['tenants:read'] }]),
  bad('null body', 'POST', KEYS, 'null'),
  ...['0', '101', 'abc', '-5'].map((limit) => bad(`api keys: limit=${limit}`, 'GET', `${KEYS}?limit=${limit}`, undefined, 'limit')),
  bad('api keys: cursor of garbage', 'GET', `${KEYS}?cursor=zzzzzzzz`, undefined, 'cursor'),
  bad('api keys: cursor with bad characters', 'GET', `${KEYS}?cursor=${encodeURIComponent('a b')}`, undefined, 'cursor'),
  bad('api keys: unknown query parameter', 'GET', `${KEYS}?scope=tenants:read`, undefined, 'scope'),
  { name: 'revoke a non-UUID id', method: 'DELETE', path: `${KEYS}/not-a-uuid`, status: 404, code: 'api_key.not_found' },
  { name: 'revoke an unknown id', method: 'DELETE', path: `${KEYS}/${randomUUID()}`, status: 404, code: 'api_key.not_found' },
];

const notFound = (slug: string): Case[] => [
  { name: `GET ${slug}`, method: 'GET', path: `${TENANTS}/${slug}`, status: 404, code: 'tenant.not_found' },
  { name: `PATCH ${slug}`, method: 'PATCH', path: `${TENANTS}/${slug}`, body: { name: 'x' }, status: 404, code: 'tenant.not_found' },
  { name: `suspend ${slug}`, method: 'POST', path: `${TENANTS}/${slug}/suspend`, status: 404, code: 'tenant.not_found' },
  { name: `resume ${slug}`, method: 'POST', path: `${TENANTS}/${slug}/resume`, status: 404, code: 'tenant.not_found' },
  { name: `DELETE ${slug}`, method: 'DELETE', path: `${TENANTS}/${slug}`, status: 404, code: 'tenant.not_found' },
];
const unknownSlugCases: Case[] = [...notFound('no-such-tenant'), ...notFound('Not_A_Slug'), ...notFound(encodeURIComponent("x'; drop schema platform; --"))];

describe('bad input on the platform admin API', () => {
  let t: TestApp;
  let dbUrl: string;
  let before: Record<string, unknown>;
  let existingBefore: unknown;

  const snapshot = async () => {
    const [counts] = await t.dataSource.query(
      `SELECT (SELECT count(*)::int FROM platform.tenants) AS tenants,
              (SELECT count(*)::int FROM platform.tenant_domains) AS domains,
              (SELECT count(*)::int FROM pg_namespace WHERE nspname LIKE 't\\_%') AS schemas,
              (SELECT count(*)::int FROM platform.outbox) AS outbox,
              (SELECT count(*)::int FROM platform.api_keys) AS api_keys,
              (SELECT count(*)::int FROM platform.api_keys WHERE revoked_at IS NOT NULL) AS revoked_keys`,
    );
    return counts as Record<string, number>;
  };
  const existingRow = async () =>
    (
      await t.dataSource.query(
        `SELECT t.name, t.status, t.settings, t.updated_at, t.suspended_at, t.purge_after,
                array(SELECT domain FROM platform.tenant_domains d WHERE d.tenant_id = t.id ORDER BY domain) AS domains
           FROM platform.tenants t WHERE slug = $1`,
        [existing],
      )
    )[0];

  beforeAll(async () => {
    const url = new URL(process.env.CREDENCE_TEST_DATABASE_URL!);
    url.pathname = `${url.pathname}_bad`;
    dbUrl = url.toString();
    await ensureDatabase(dbUrl);
    t = await startTestApp([AuthAppModule], { DATABASE_URL: dbUrl, REDIS_PREFIX: `${process.env.CREDENCE_TEST_REDIS_PREFIX}:bad` });
    const created = await t.call('POST', TENANTS, {
      slug: existing,
      name: 'Existing',
      domains: ['existing.bad-input.example'],
      settings: { lockout_seconds: 300 },
      admin: { email: 'admin@existing.bad-input.example', password: PASSWORD },
    });
    expect(created.status).toBe(201);
    const key = await t.call('POST', KEYS, { name: 'existing', scopes: ['tenants:read'] });
    expect(key.status).toBe(201);
    before = await snapshot();
    existingBefore = await existingRow();
    // outbox: tenant.onboarded and platform.api_key.created
    expect(before).toMatchObject({ tenants: 1, schemas: 1, domains: 1, outbox: 2, api_keys: 2, revoked_keys: 0 });
  });

  afterAll(async () => {
    await t?.close();
    if (dbUrl) await dropDatabase(dbUrl);
  });

  /** t.call sends a string as the raw body and anything else as JSON, both as application/json. */
  const send = (c: Case) => t.call(c.method, c.path, c.body);

  describe.each([
    ['POST /v1/admin/tenants', onboardCases],
    ['GET /v1/admin/tenants', listTenantCases],
    ['PATCH /v1/admin/tenants/{slug}', updateCases],
    ['/v1/admin/api-keys', apiKeyCases],
    ['unknown or malformed slug', unknownSlugCases],
  ])('%s', (_, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const res = await send(c);
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: c.status, code: c.code });
      expect(Object.keys(res.body).sort()).toEqual(['error']);
      expect(res.body.error).toEqual({
        code: c.code,
        message: expect.any(String),
        trace_id: res.headers.get('x-trace-id'),
        ...(res.body.error.details !== undefined ? { details: expect.any(Array) } : {}),
      });
      expect(res.body.error.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(res.body.error.message.length).toBeGreaterThan(0);
      if (c.field) {
        expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: c.field, issue: expect.any(String) })]));
      }
      // The envelope never echoes the values it refused (passwords, secrets).
      expect(JSON.stringify(res.body)).not.toContain(PASSWORD.repeat(2));
      expect(JSON.stringify(res.body)).not.toContain('crd_chosen_by_the_caller');
    });
  });

  it('the bad requests changed nothing: tenants, schemas, domains, outbox, API keys, the existing tenant', async () => {
    const slugs = await t.dataSource.query(`SELECT slug FROM platform.tenants ORDER BY slug`);
    expect({ counts: await snapshot(), existing: await existingRow(), slugs }).toEqual({ counts: before, existing: existingBefore, slugs: [{ slug: existing }] });
  });

  it('the same requests made valid are accepted (the cases fail for the reason they name)', async () => {
    const list = await t.call('GET', `${TENANTS}?limit=100&status=active`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((x: { slug: string }) => x.slug)).toContain(existing);
    const page = await t.call('GET', `${TENANTS}?limit=1&cursor=${b64('00000000-0000-7000-8000-000000000000')}`);
    expect(page.status).toBe(200);
    expect((await t.call('GET', `${KEYS}?limit=100`)).status).toBe(200);
    const patch = await t.call('PATCH', `${TENANTS}/${existing}`, { name: 'Changed', settings: { lockout_seconds: 120 } });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ name: 'Changed', settings: { lockout_seconds: 120 } });
    const onboard = await t.call(
      'POST',
      TENANTS,
      validTenant({ slug: 'bad-input-valid', domains: domainsOf(50), settings: { access_token_ttl_seconds: 600, default_locale: 'en-GB' } }),
    );
    expect(onboard.status).toBe(201);
    const key = await t.call('POST', KEYS, { name: 'k'.repeat(100), scopes: ['tenants:read', 'tenants:write', 'api_keys:manage'], expires_at: '2099-01-01T00:00:00Z' });
    expect(key.status).toBe(201);
  });
});
