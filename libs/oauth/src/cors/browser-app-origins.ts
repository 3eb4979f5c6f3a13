import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RequestContext } from '@credence/context';
import { TenantTransactionRunner } from '@credence/tenancy';
import { ApplicationCache } from '../applications/application-cache';

type HttpRequest = { headers: Record<string, string | string[] | undefined> };

/** How long a browser may reuse a preflight's answer. */
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/** The origin (scheme, host, port) of a registered redirect URI; `null` for custom schemes, which no page has. */
const originOf = (uri: string): string => {
  try {
    return new URL(uri).origin;
  } catch {
    return 'null';
  }
};

/**
 * CORS for the endpoints single-page apps call with fetch (token, userinfo): a page may read their
 * answers when it runs on the origin of a redirect URI registered for one of the tenant's public
 * applications, the page the authorization response comes back to. Credentials mode is never allowed:
 * these endpoints read no cookies, each request carries its own code, refresh token or bearer token.
 */
@Injectable()
export class BrowserAppOrigins {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly cache: ApplicationCache,
    private readonly context: RequestContext,
  ) {}

  /** Marks the answer as varying by Origin and, for a public app's origin, readable by it. */
  async answer(req: HttpRequest, reply: FastifyReply): Promise<void> {
    const origin = req.headers.origin;
    if (typeof origin !== 'string') return;
    reply.header('Vary', 'Origin');
    if (await this.allows(origin)) reply.header('Access-Control-Allow-Origin', origin);
  }

  /** A preflight (OPTIONS): 204, with permission to send `methods` and the Authorization header only for a public app's origin. */
  async preflight(req: HttpRequest, reply: FastifyReply, methods: string): Promise<void> {
    await this.answer(req, reply);
    if (!reply.hasHeader('Access-Control-Allow-Origin')) return;
    reply.header('Access-Control-Allow-Methods', methods);
    reply.header('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    reply.header('Access-Control-Max-Age', PREFLIGHT_MAX_AGE_SECONDS);
  }

  /** From memory while the tenant's applications are unchanged (ApplicationCache's version), otherwise from Postgres. */
  private async allows(origin: string): Promise<boolean> {
    if (origin === 'null') return false;
    const tenantId = this.context.requireTenant().id;
    const version = await this.cache.version(tenantId);
    let origins = this.cache.originsOf(tenantId, version);
    if (!origins) {
      const rows = await this.runner.queryInTenant<{ redirect_uris: string[] }[]>(`SELECT redirect_uris FROM applications WHERE type = 'public'`);
      origins = new Set(rows.flatMap((r) => r.redirect_uris.map(originOf)).filter((o) => o !== 'null'));
      this.cache.keepOrigins(tenantId, version, origins);
    }
    return origins.has(origin);
  }
}
