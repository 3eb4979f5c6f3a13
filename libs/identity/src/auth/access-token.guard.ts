import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { TenantRouteGuard } from '@credence/tenancy';
import { TokenVerifier } from '../tokens/token-verifier';
import { RequestWithPrincipal } from './principal';

const BEARER = /^bearer +([A-Za-z0-9_.-]{20,8192})$/i;
const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="credence"' };

/**
 * For tenant routes that need a signed-in user: resolves the path's tenant, verifies the bearer
 * access token against that tenant only (so a token of tenant A never passes at tenant B), checks
 * revocation, and puts the principal on the request and the actor in context.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly tenantGuard: TenantRouteGuard,
    private readonly verifier: TokenVerifier,
    private readonly context: RequestContext,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    await this.tenantGuard.canActivate(ctx);
    const req = ctx.switchToHttp().getRequest<RequestWithPrincipal & { headers: Record<string, string | undefined> }>();
    const header = req.headers.authorization;
    if (!header) throw new DomainError('auth.missing_credentials', undefined, undefined, CHALLENGE);
    const m = BEARER.exec(header);
    if (!m) throw new DomainError('auth.token.invalid', undefined, undefined, CHALLENGE);
    const principal = await this.verifier.verify(this.context.requireTenant(), m[1]);
    req.principal = principal;
    this.context.setActor(`user:${principal.userId}`);
    return true;
  }
}
