import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException, ServiceUnavailableException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { AccessTokenVerifier, ExpectedTenant } from './access-token-verifier';
import { TokenRejected } from './token-rejected';

export const CREDENCE_TOKEN_VERIFIER = Symbol('CREDENCE_TOKEN_VERIFIER');
/** How the guard learns which tenant a request is for; default: the `tenant` route param (HTTP) or `tenant` field (RPC). */
export const CREDENCE_TENANT_RESOLVER = Symbol('CREDENCE_TENANT_RESOLVER');
export type TenantResolver = (ctx: ExecutionContext) => ExpectedTenant | undefined;

export const defaultTenantResolver: TenantResolver = (ctx) => {
  if (ctx.getType() === 'http') {
    const slug = ctx.switchToHttp().getRequest<{ params?: Record<string, string> }>().params?.tenant;
    return slug ? { slug } : undefined;
  }
  const data = ctx.switchToRpc().getData<{ tenant?: unknown }>();
  return typeof data?.tenant === 'string' ? { slug: data.tenant } : undefined;
};

/**
 * Lets a request through only with a valid Credence access token of the request's tenant: HTTP
 * `Authorization: Bearer`, or an RPC payload's `token`. The verified claims land on
 * `request.credence` (HTTP) or `data.credence` (RPC).
 */
@Injectable()
export class CredenceTokenGuard implements CanActivate {
  constructor(
    @Inject(CREDENCE_TOKEN_VERIFIER) private readonly verifier: AccessTokenVerifier,
    @Inject(CREDENCE_TENANT_RESOLVER) private readonly tenantOf: TenantResolver,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const http = ctx.getType() === 'http';
    const holder = http
      ? ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; credence?: unknown }>()
      : ctx.switchToRpc().getData<{ token?: unknown; credence?: unknown }>();
    const token = http
      ? /^bearer +(\S+)$/i.exec((holder as { headers: Record<string, string | undefined> }).headers.authorization ?? '')?.[1]
      : (holder as { token?: unknown }).token;
    const tenant = this.tenantOf(ctx);
    if (typeof token !== 'string' || !tenant) return this.refuse(http, new TokenRejected('malformed', 'no token or no tenant'));
    try {
      holder.credence = await this.verifier.verify(token, tenant);
      return true;
    } catch (err) {
      if (err instanceof TokenRejected) return this.refuse(http, err);
      throw err;
    }
  }

  private refuse(http: boolean, err: TokenRejected): never {
    const body = { reason: err.reason, message: err.message };
    if (!http) throw new RpcException(body);
    if (err.reason === 'unavailable') throw new ServiceUnavailableException(body);
    throw new UnauthorizedException(body);
  }
}
