import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { REDIS } from '@credence/redis';
import { startTestApp, TestApp, TEST_ADMIN_KEY, uniqueSlug } from '@credence/testing';
import { createEventsWorld, EventsWorld, useEventsEnv } from '../support/events/events-world';
import { AuditAppModule } from '../../apps/audit/src/audit-app.module';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { FederationAppModule } from '../../apps/federation/src/federation-app.module';
import { SyncAppModule } from '../../apps/sync/src/sync-app.module';

const PASSWORD = 'a long enough password 1';
/** Kept under the default 100 KB body limit, so the value reaches validation. */
const LONG_BODY_STRING = 'x'.repeat(90_000);
/** Node refuses request heads over 16 KB; this stays under it. */
const LONG_QUERY_STRING = 'x'.repeat(6_000);
const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i += 1) v = { a: v };
  return v;
};
const deepText = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const enc = encodeURIComponent;

/** JSON values sent in place of each body field: one or two of each kind, to keep the walk short. */
const BODY_VALUES: unknown[] = [
  '2026-02-31T00:00:00Z',
  '0000-01-01T00:00:00Z',
  1e308,
  Number('9999999999999999999'),
  -1, // the second is 1e19 once parsed, past a bigint
  'a\u0000b',
  '\ud800',
  LONG_BODY_STRING,
  '',
  ['a', 'b'],
  {},
  null,
  true,
  JSON.parse('{"__proto__": {"polluted": true}}'),
  nested(20),
  nested(40),
  "' OR 1=1 --",
];

/** Whole bodies, as sent: too deep, not JSON, NUL and lone surrogates escaped, prototype keys, not an object. */
const RAW_BODIES: string[] = [
  deepText(10_000),
  `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
  '{"a":',
  '{"a":"\\u0000"}',
  '{"a\\u0000":1}',
  '{"a":"\\ud800"}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '[]',
  'null',
  '"x"',
  '1e308',
];

/** Query string values, already percent-encoded (a lone surrogate cannot go through encodeURIComponent). */
const URL_VALUES: string[] = [
  enc('2026-02-31T00:00:00Z'),
  enc('2026-01-01T00:00:00+23:00'),
  enc('9999999999999999999'),
  enc('1e308'),
  enc('-1'),
  'a%00b',
  '%ED%A0%80',
  '%C0%80',
  '%FF',
  '%',
  LONG_QUERY_STRING,
  '',
  enc("' OR 1=1 --"),
  '__proto__',
];

/** Forged cursors, for the parameters that take one: a seq past bigint, Feb 30 (event and incident forms), a NUL inside. */
const CURSOR_VALUES: string[] = [
  '2026-01-01T00:00:00.000000Z|9999999999999999999',
  '2026-02-30T00:00:00.000000Z|1',
  `2026-02-30T00:00:00.000000Z|${randomUUID()}`,
  'platform|\u0000',
  's99999999999999999999',
].map((raw) => Buffer.from(raw).toString('base64url'));

/** Path values: what a route's own guard or pipe must refuse (path values never reach a date or cursor decoder). */
const PATH_VALUES: string[] = ['a%00b', '%ED%A0%80', '%FF', '%', 'x'.repeat(200), enc("' OR 1=1 --"), enc('9999999999999999999'), '__proto__', enc('2026-02-31T00:00:00Z')];

interface Route {
  method: string;
  /** OpenAPI form: /v1/t/{tenant}/users/{id} */
  path: string;
}

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  minimum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  nullable?: boolean;
}

interface Operation {
  parameters?: { in: string; name: string; description?: string }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

interface Outcome {
  route: string;
  where: string;
  status: number;
  code?: string;
}

/** Every route Nest registered, from the controllers' metadata (the same metadata Nest's router reads). */
function nestRoutes(app: TestApp['app']): Route[] {
  const routes = new Map<string, Route>();
  const join = (...parts: string[]) =>
    `/${parts
      .map((p) => p.replace(/^\/+|\/+$/g, ''))
      .filter(Boolean)
      .join('/')}`;
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const bases = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, controller) ?? '/');
      const names = new Set<string>();
      for (let proto = controller.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
        for (const name of Object.getOwnPropertyNames(proto)) names.add(name);
      }
      for (const name of names) {
        const handler: unknown = name === 'constructor' ? undefined : controller.prototype[name];
        if (typeof handler !== 'function') continue;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (paths === undefined || method === undefined) continue;
        for (const base of bases) {
          for (const p of ([] as string[]).concat(paths)) {
            const path = join(base, p).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
            const route = { method: RequestMethod[method], path };
            routes.set(`${route.method} ${route.path}`, route);
          }
        }
      }
    }
  }
  return [...routes.values()];
}

/**
 * Hostile input on every route: each path parameter, query parameter and body field (listed from the
 * OpenAPI document the app generates) gets impossible dates, huge numbers, NUL, lone surrogates, deep
 * nesting, long strings, arrays for scalars and prototype keys, with the caller's credentials. Nothing
 * may answer 5xx.
 */
describe('hostile input on every route', () => {
  let t: TestApp;
  let world: EventsWorld;
  let slug: string;
  let tenantToken: string;
  let basic: string;
  let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

  let tenantId: string;

  /**
   * The walk sends wrong current passwords to the admin's own password routes, which count towards the
   * sign-in lockout as they should; the fuzzing admin is unlocked before signing in again.
   */
  const unlockAdmin = async () => {
    await t.app.get(DataSource).query(`UPDATE "t_${tenantId.replace(/-/g, '')}".users SET locked_until = NULL`);
    const redis = t.app.get<Redis>(REDIS);
    const keys = await redis.keys(`${world.prefix}*login-*`);
    if (keys.length) await redis.del(...keys);
  };

  const login = async () => {
    let res = await t.call('POST', `/v1/t/${slug}/auth/login`, { email: `admin@${slug}.example`, password: PASSWORD }, { auth: false });
    if (res.status === 423) {
      await unlockAdmin();
      res = await t.call('POST', `/v1/t/${slug}/auth/login`, { email: `admin@${slug}.example`, password: PASSWORD }, { auth: false });
    }
    expect(res.status).toBe(200);
    tenantToken = res.body.access_token;
  };

  beforeAll(async () => {
    world = await createEventsWorld('hostile');
    useEventsEnv({});
    t = await startTestApp([AuthAppModule, FederationAppModule, SyncAppModule, AuditAppModule], {
      DATABASE_URL: world.databaseUrl,
      REDIS_PREFIX: world.prefix,
      LOGIN_IP_LIMIT_PER_MINUTE: '100000',
    });
    slug = uniqueSlug('hostile');
    const created = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: `admin@${slug}.example`, password: PASSWORD } });
    expect(created.status).toBe(201);
    tenantId = created.body.id;
    await login();
    const credential = await t.call('POST', `/v1/t/${slug}/service-credentials`, { name: 'fuzz' }, { auth: tenantToken });
    expect(credential.status).toBe(201);
    basic = Buffer.from(`${credential.body.client_id}:${credential.body.client_secret}`).toString('base64');
    doc = (await t.call('GET', '/docs/openapi.json', undefined, { auth: false })).body;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await world?.cleanup();
  });

  type Auth = { kind: 'tenant' } | { kind: 'header'; value: string } | { kind: 'none' };

  /** Sends a raw request; a tenant token revoked on the way (logout) is replaced, or a stalled backing service waited out, and the request sent again once. */
  async function send(method: string, url: string, auth: Auth, body?: string): Promise<{ status: number; code?: string }> {
    for (let attempt = 0; ; attempt += 1) {
      const headers: Record<string, string> = {};
      if (auth.kind === 'tenant') headers.authorization = `Bearer ${tenantToken}`;
      if (auth.kind === 'header') headers.authorization = auth.value;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${t.url}${url}`, { method, headers, body });
      const text = await res.text();
      let code: string | undefined;
      try {
        code = JSON.parse(text)?.error?.code;
      } catch {
        /* not JSON */
      }
      const revoked = auth.kind === 'tenant' && (code === 'auth.session.revoked' || code === 'auth.token.invalid');
      // A backing service that stalls past its timeout on a loaded machine answers 503 service.unavailable, by
      // design; that is not the input's doing, so the case is sent once more. A 503 the input causes comes back.
      const stalled = res.status === 503 && code === 'service.unavailable';
      if ((!revoked && !stalled) || attempt > 0) return { status: res.status, code };
      if (revoked) await login();
      else await new Promise((r) => setTimeout(r, 1000));
    }
  }

  const resolve = (s: Schema | undefined): Schema | undefined => (s?.$ref ? doc.components.schemas[s.$ref.split('/').pop()!] : s);

  /** A value the schema would likely accept: its example, its first enum value, or one of its type. */
  function plausible(s: Schema | undefined, depth = 0): unknown {
    const r = resolve(s);
    if (!r) return 'fuzz';
    if (r.example !== undefined) return r.example;
    if (r.enum?.length) return r.enum[0];
    if (r.properties && depth < 3) return baseline(r, depth + 1);
    switch (r.type) {
      case 'number':
      case 'integer':
        return r.minimum ?? 1;
      case 'boolean':
        return true;
      case 'array':
        return [];
      case 'object':
        return {};
      default:
        return r.format === 'uuid' ? randomUUID() : 'fuzz';
    }
  }

  /** A body with each required field set to a plausible value. */
  function baseline(s: Schema, depth = 0): Record<string, unknown> {
    return Object.fromEntries((s.required ?? []).map((name) => [name, plausible(s.properties?.[name], depth)]));
  }

  /** Nested schemas whose fields were walked already: the same DTO class validates them wherever they appear. */
  const walkedNested = new Set<string>();

  /** Every field of a body schema, as paths; a nested schema's own fields only the first time it is met. */
  function fieldPaths(s: Schema | undefined, prefix: string[] = [], depth = 0): string[][] {
    if (depth > 0 && s?.$ref) {
      if (walkedNested.has(s.$ref)) return [];
      walkedNested.add(s.$ref);
    }
    const r = resolve(s);
    if (!r?.properties || depth > 3) return [];
    return Object.entries(r.properties).flatMap(([name, child]) => [[...prefix, name], ...fieldPaths(child, [...prefix, name], depth + 1)]);
  }

  function withField(body: Record<string, unknown>, path: string[], value: unknown, schema: Schema): Record<string, unknown> {
    const copy = structuredClone(body);
    let at: Record<string, unknown> = copy;
    let s: Schema | undefined = schema;
    for (const name of path.slice(0, -1)) {
      s = resolve(resolve(s)?.properties?.[name]);
      if (typeof at[name] !== 'object' || at[name] === null) at[name] = s ? baseline(s) : {};
      at = at[name] as Record<string, unknown>;
    }
    Object.defineProperty(at, path[path.length - 1], { value, enumerable: true, writable: true, configurable: true });
    return copy;
  }

  /** A valid-looking stand-in for a path parameter: the real tenant, otherwise something that does not exist. */
  function standIn(name: string): string {
    if (name === 'tenant') return slug;
    if (name === 'slug') return 'no-such-tenant';
    if (name === 'role') return 'no-such-role';
    return randomUUID();
  }

  const urlOf = (route: Route, params: Record<string, string>, query = '') =>
    route.path.replace(/\{([^}]+)\}/g, (_, name: string) => params[name] ?? enc(standIn(name))) + (query ? `?${query}` : '');

  /** The credentials the route takes: the first candidate it does not answer 401 or 403. */
  async function authFor(route: Route, body: string | undefined): Promise<Auth> {
    const candidates: Auth[] = route.path.startsWith('/v1/admin')
      ? [{ kind: 'header', value: `Bearer ${TEST_ADMIN_KEY}` }]
      : [{ kind: 'tenant' }, { kind: 'header', value: `Bearer ${TEST_ADMIN_KEY}` }, { kind: 'header', value: `Basic ${basic}` }, { kind: 'none' }];
    for (const auth of candidates) {
      const res = await send(route.method, urlOf(route, {}), auth, body);
      if (res.status !== 401 && res.status !== 403) return auth;
    }
    return candidates[0];
  }

  /** Runs the cases a few at a time, keeping every answer of 500 or more. */
  async function run(cases: { where: string; url: string; body?: string }[], route: Route, auth: Auth, failures: Outcome[]): Promise<number> {
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++];
        const res = await send(route.method, c.url, auth, c.body);
        if (res.status >= 500) failures.push({ route: `${route.method} ${route.path}`, where: c.where, status: res.status, code: res.code });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return cases.length;
  }

  const cursor = (raw: string) => Buffer.from(raw).toString('base64url');
  const expect400 = (res: { status: number; body: any }, code: string, field?: string) => {
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code });
    if (field !== undefined) expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  };

  it.each([
    ['audit/events', 'from=2026-02-31T00:00:00Z', 'from'],
    ['audit/events', 'to=2026-04-31T00:00:00Z', 'to'],
    ['audit/report', 'from=2026-02-31T00:00:00Z', 'from'],
    ['audit/export', 'to=2026-02-29T00:00:00Z', 'to'],
    ['audit/events', 'from=0000-01-01T00:00:00Z', 'from'],
    ['audit/events', `from=${enc('2026-01-01T00:00:00+23:00')}`, 'from'],
    ['audit/events', `cursor=${cursor('2026-01-01T00:00:00.000000Z|9999999999999999999')}`, 'cursor'],
    ['audit/events', `cursor=${cursor('2026-02-30T00:00:00.000000Z|1')}`, 'cursor'],
    ['audit/events', `cursor=${cursor('2026-99-01T00:00:00.000000Z|1')}`, 'cursor'],
    ['audit/incidents', `cursor=${cursor(`2026-02-30T00:00:00.000000Z|${randomUUID()}`)}`, 'cursor'],
    ['audit/events', 'subject=a%00b', 'subject'],
    ['users', 'q=a%00b', 'q'],
  ])('GET /v1/t/{tenant}/%s?%s answers 400 validation.failed', async (path, query, field) => {
    expect400(await t.call('GET', `/v1/t/${slug}/${path}?${query}`, undefined, { auth: tenantToken }), 'validation.failed', field);
  });

  it.each([
    ['audit/events', 'from=2026-02-31T00:00:00Z', 'from'],
    ['audit/events', 'subject=a%00b', 'subject'],
    ['audit/export', 'from=2026-02-31T00:00:00Z', 'from'],
    ['retention/runs', `cursor=${cursor('platform|\u0000')}`, 'cursor'],
  ])('GET /v1/admin/%s?%s answers 400 validation.failed', async (path, query, field) => {
    expect400(await t.call('GET', `/v1/admin/${path}?${query}`), 'validation.failed', field);
  });

  it('refuses impossible dates in bodies: an API key expiry and a retention as_of', async () => {
    expect400(await t.call('POST', '/v1/admin/api-keys', { name: 'k', scopes: ['tenants:read'], expires_at: '2099-02-29T00:00:00Z' }), 'validation.failed', 'expires_at');
    expect400(await t.call('POST', '/v1/admin/retention/runs', { as_of: '2025-02-29T00:00:00Z', tenant_ids: [] }), 'validation.failed', 'as_of');
    expect400(await t.call('POST', '/v1/admin/retention/runs', { as_of: '2025-W01-1', tenant_ids: [] }), 'validation.failed', 'as_of');
  });

  it('refuses a NUL or a lone surrogate anywhere in a body, a key or a path, before the credentials', async () => {
    const login = `/v1/t/${slug}/auth/login`;
    expect400(await t.call('POST', login, '{"email":"a\\u0000@x.example","password":"p"}', { auth: false }), 'validation.failed', 'email');
    expect400(await t.call('POST', login, '{"email":"\\ud800@x.example","password":"p"}', { auth: false }), 'validation.failed', 'email');
    expect400(
      await t.call('POST', `/v1/t/${slug}/users`, { email: 'n@x.example', attributes: { 'dept\u0000': 'it' } }, { auth: false }),
      'validation.failed',
      'attributes.dept\u0000',
    );
    expect400(await t.call('GET', '/v1/t/a%00b/users', undefined, { auth: false }), 'validation.failed', 'tenant');
  });

  it('refuses a body nested 10,000 levels deep, unauthenticated, with 400 request.malformed, and keeps 32 levels', async () => {
    for (const body of [deepText(10_000), `${'['.repeat(10_000)}${']'.repeat(10_000)}`, deepText(33)]) {
      const res = await t.call('POST', `/v1/t/${slug}/auth/login`, body, { auth: false });
      expect400(res, 'request.malformed');
      expect(res.body.error.message).toBe('The JSON body is nested deeper than 32 levels.');
    }
    // 32 levels parse; the unknown field is then refused by validation, not by the parser.
    expect400(await t.call('POST', `/v1/t/${slug}/auth/login`, deepText(32), { auth: false }), 'validation.failed');
  });

  it('walks every registered route and never answers 5xx', async () => {
    const routes = nestRoutes(t.app);
    expect(routes.length).toBeGreaterThan(50);
    expect(routes).toEqual(
      expect.arrayContaining([
        { method: 'GET', path: '/v1/t/{tenant}/audit/events' },
        { method: 'POST', path: '/v1/admin/tenants' },
      ]),
    );
    // A route left out of the OpenAPI document (/metrics) is walked too, with made-up fields.
    const documented = routes.filter((r) => doc.paths[r.path]?.[r.method.toLowerCase()]);
    expect(documented.length).toBeGreaterThan(routes.length - 3);

    const failures: Outcome[] = [];
    let sent = 0;
    for (const route of routes) {
      const op: Operation = doc.paths[route.path]?.[route.method.toLowerCase()] ?? { parameters: [{ in: 'query', name: 'unknown_param' }] };
      const bodySchema = resolve(op.requestBody?.content?.['application/json']?.schema);
      const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
      const base = bodySchema ? baseline(bodySchema) : {};
      const baseText = hasBody ? JSON.stringify(base) : undefined;
      const auth = await authFor(route, baseText);
      const cases: { where: string; url: string; body?: string }[] = [];

      for (const name of (route.path.match(/\{([^}]+)\}/g) ?? []).map((p) => p.slice(1, -1))) {
        for (const value of PATH_VALUES) cases.push({ where: `path ${name}=${value.slice(0, 40)}`, url: urlOf(route, { [name]: value }), body: baseText });
      }
      for (const { name, description } of (op.parameters ?? []).filter((p) => p.in === 'query')) {
        for (const value of description?.includes('cursor') ? [...URL_VALUES, ...CURSOR_VALUES] : URL_VALUES)
          cases.push({ where: `query ${name}=${value.slice(0, 40)}`, url: urlOf(route, {}, `${name}=${value}`), body: baseText });
        cases.push({ where: `query ${name} twice`, url: urlOf(route, {}, `${name}=a&${name}=b`), body: baseText });
        cases.push({ where: `query ${name}[]`, url: urlOf(route, {}, `${enc(`${name}[]`)}=a`), body: baseText });
      }
      for (const extra of ['__proto__=x', '__proto__[polluted]=1', 'constructor[prototype][polluted]=1', 'zzz%00=1']) {
        cases.push({ where: `query ${extra}`, url: urlOf(route, {}, extra), body: baseText });
      }
      if (hasBody) {
        for (const path of bodySchema ? fieldPaths(bodySchema) : [['unknown_field']]) {
          for (const value of BODY_VALUES) {
            cases.push({
              where: `body ${path.join('.')}=${JSON.stringify(value)?.slice(0, 40)}`,
              url: urlOf(route, {}),
              body: JSON.stringify(withField(base, path, value, bodySchema ?? {})),
            });
          }
        }
        for (const text of RAW_BODIES) cases.push({ where: `body ${text.slice(0, 30)}`, url: urlOf(route, {}), body: text });
      }
      sent += await run(cases, route, auth, failures);
    }
    expect(failures).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The walk really ran (thousands of requests over every route); its duration is bounded by the test timeout, not asserted. The routes grew with federation, sync, SCIM and webhooks, and a shared 2-core machine needs the margin.
    expect(sent).toBeGreaterThan(3000);
  }, 420_000);
});
