import { Controller, Get, Module, OnModuleInit, RequestMethod } from '@nestjs/common';
import { HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { PUBLIC_ROUTE } from '@credence/access';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuditAppModule } from '../../apps/audit/src/audit-app.module';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { FederationAppModule } from '../../apps/federation/src/federation-app.module';
import { SyncAppModule } from '../../apps/sync/src/sync-app.module';
import { createEventsWorld, EventsWorld, useEventsEnv } from '../support/events/events-world';

/** A route somebody forgot to decorate: the global guard must close it. */
@Controller('v1/probe')
class ForgottenController {
  @Get('forgotten')
  forgotten() {
    return { open: true };
  }
}

/** A route that escapes Nest (and so the guard) entirely: the walk below must report it as open. */
@Module({ controllers: [ForgottenController] })
class ProbeModule implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    this.host.httpAdapter.getInstance().get('/v1/probe/bypass', async () => ({ open: true }));
  }
}

interface Route {
  method: string;
  path: string;
}

/** Every route Fastify serves, from its route tree (each line's segment continues its parent's path). */
function servedRoutes(tree: string): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + m[2];
    stack[depth] = path;
    for (const method of m[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push({ method, path });
  }
  return routes;
}

/** `METHOD /path` -> whether the Nest handler (or its controller) is marked @Public(). */
function nestRoutes(modules: ModulesContainer): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const cls = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!cls) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, cls) ?? '');
      // Routes a controller inherits count too (the webhook routes are declared once for both scopes).
      const names = new Set<string>();
      for (let proto = cls.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) Object.getOwnPropertyNames(proto).forEach((n) => names.add(n));
      for (const name of names) {
        const handler = (cls.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const path = `/${[base, String(Reflect.getMetadata(PATH_METADATA, handler) ?? '')].join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
        const isPublic = Boolean(Reflect.getMetadata(PUBLIC_ROUTE, handler) ?? Reflect.getMetadata(PUBLIC_ROUTE, cls));
        out.set(`${method} ${path}`, isPublic);
      }
    }
  }
  return out;
}

/** Not Nest's: the OpenAPI document and its UI, mounted by @nestjs/swagger. Public on purpose. */
const PUBLIC_NON_NEST = /^\/docs(\/|$|\*|-json|-yaml|\.)/;

const DUMMY_ID = '00000000-0000-4000-8000-000000000000';

/**
 * Deny by default, checked from the outside: boots the whole platform (the four apps, as apps/platform
 * does), walks every route Fastify serves, and calls each one that is not @Public() without
 * credentials. Each must refuse with 401 or 403 (`auth.*`); a route that answers anything else is open.
 */
describe('every route is closed unless marked public', () => {
  let world: EventsWorld;
  let t: TestApp;
  const slug = uniqueSlug('routes');

  beforeAll(async () => {
    world = await createEventsWorld('routes');
    useEventsEnv({});
    t = await startTestApp([AuthAppModule, FederationAppModule, SyncAppModule, AuditAppModule, ProbeModule], {
      DATABASE_URL: world.databaseUrl,
      REDIS_PREFIX: world.prefix,
      RETENTION_ENABLED: 'false',
    });
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: `admin@${slug}.example`, password: 'a long enough password' } });
    expect(res.status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await world?.cleanup();
  });

  it('answers 401 or 403 without credentials on every route not marked public, and finds a route that is open', async () => {
    const served = servedRoutes(t.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false }));
    const nest = nestRoutes(t.app.get(ModulesContainer));
    // The walk sees the routes it must: the parse is not silently empty.
    for (const known of [
      'GET /health',
      'POST /v1/admin/tenants',
      'GET /v1/t/:tenant/events',
      'GET /v1/t/:tenant/audit/events',
      'POST /v1/t/:tenant/auth/introspect',
      'GET /v1/probe/forgotten',
    ]) {
      expect(served.map((r) => `${r.method} ${r.path}`)).toContain(known);
    }
    expect(served.length).toBeGreaterThan(50);

    const open: string[] = [];
    const checked: Record<string, number> = {};
    for (const route of served) {
      const key = `${route.method} ${route.path}`;
      if (nest.get(key) === true || (!nest.has(key) && PUBLIC_NON_NEST.test(route.path))) continue;
      const path = route.path
        .replace(/:tenant\b/g, slug)
        .replace(/:slug\b/g, slug)
        .replace(/:[A-Za-z_]+/g, DUMMY_ID)
        .replace(/\*/g, 'x');
      const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined;
      const res = await t.call(route.method, path, body, { auth: false });
      checked[key] = res.status;
      const code: string = res.body?.error?.code ?? '';
      const refused = (res.status === 401 || res.status === 403) && /^(auth|authz)\./.test(code);
      if (!refused) open.push(key);
    }

    // The forgotten route is closed by the global guard; the one that escaped Nest is caught as open.
    expect(checked['GET /v1/probe/forgotten']).toBe(401);
    expect(open).toEqual(['GET /v1/probe/bypass']);
    // Every Nest route was either public or checked above.
    for (const [key, isPublic] of nest) if (!isPublic) expect(checked).toHaveProperty([key]);
  }, 120_000);

  it('refuses every SCIM route (public to the global guard, closed by its directory token) without a token, 401 in the SCIM shape', async () => {
    const scim = servedRoutes(t.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false })).filter((r) => r.path.includes('/scim/v2'));
    expect(scim.length).toBeGreaterThanOrEqual(16);
    for (const route of scim) {
      const path = route.path.replace(/:tenant\b/g, slug).replace(/:[A-Za-z_]+/g, DUMMY_ID);
      const res = await t.call(route.method, path, ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined, { auth: false });
      expect({ route: `${route.method} ${route.path}`, status: res.status, body: res.body }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 401,
        body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401', detail: expect.any(String) },
      });
    }
  });

  it('still serves the public routes without credentials', async () => {
    expect((await t.call('GET', '/health', undefined, { auth: false })).status).toBe(200);
    expect((await t.call('GET', `/v1/t/${slug}/.well-known/jwks.json`, undefined, { auth: false })).status).toBe(200);
    expect((await t.call('GET', `/v1/t/${slug}/.well-known/openid-configuration`, undefined, { auth: false })).status).toBe(200);
    expect((await t.call('POST', `/v1/t/${slug}/auth/login`, { email: `admin@${slug}.example`, password: 'a long enough password' }, { auth: false })).status).toBe(200);
  });
});
