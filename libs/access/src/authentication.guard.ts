import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { TenantRouteGuard } from '@credence/tenancy';
import { ACCEPTED_CALLERS, PUBLIC_ROUTE } from './authenticate.decorator';
import { AdminScope, REQUIRED_SCOPES } from './platform-admin/admin-scopes';
import { PlatformAdminAuthenticator } from './platform-admin/platform-admin.authenticator';
import { SERVICE_CREDENTIAL_VERIFIER, ServiceCredentialVerifier, USER_TOKEN_VERIFIER, UserTokenVerifier } from './ports';
import type { AuthenticatedRequest, CallerKind } from './principals';

const USER_BEARER = /^bearer +([A-Za-z0-9_.-]{20,8192})$/i;
const JWT_BEARER = /^bearer +[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/i;
const USER_CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="credence"' };

/** Which kind of caller the presented credentials look like; undefined when they name none. */
function presentedKind(req: AuthenticatedRequest): CallerKind | undefined {
  const authorization = req.headers.authorization;
  // None: the route's first kind answers (a service-only route then looks for client_secret_post in the body).
  if (authorization === undefined) return undefined;
  if (/^basic /i.test(authorization)) return 'service';
  return JWT_BEARER.test(authorization) ? 'user' : 'platform_admin';
}

/**
 * The global guard (APP_GUARD): every HTTP route is closed unless it is @Public() or names its callers
 * with @Authenticate(...), and then the request must authenticate as one of them. A route with
 * neither answers 401 to everyone, so a route added without thought is closed, not open.
 *
 * On tenant routes (`:tenant` in the path) the tenant is resolved first (404/403 as TenantRouteGuard
 * answers), so users and services are verified against that tenant only.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tenantRoute: TenantRouteGuard,
    private readonly admins: PlatformAdminAuthenticator,
    private readonly context: RequestContext,
    @Optional() @Inject(USER_TOKEN_VERIFIER) private readonly users?: UserTokenVerifier,
    @Optional() @Inject(SERVICE_CREDENTIAL_VERIFIER) private readonly services?: ServiceCredentialVerifier,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    // Transport handlers (RPC, events) authenticate what their payload carries; this guard is for HTTP.
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<string | undefined>(PUBLIC_ROUTE, targets)) return true;
    const accepted = this.reflector.getAllAndOverride<CallerKind[] | undefined>(ACCEPTED_CALLERS, targets) ?? [];
    if (!accepted.length) throw new DomainError('auth.missing_credentials', 'This route accepts no caller.');

    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    if (req.params?.tenant !== undefined) await this.tenantRoute.canActivate(ctx);
    const presented = presentedKind(req);
    // Credentials of a kind the route does not take are judged by the route's first kind, whose error they get.
    const kind = presented && accepted.includes(presented) ? presented : accepted[0];
    if (kind === 'platform_admin') {
      const required = this.reflector.getAllAndOverride<AdminScope[] | undefined>(REQUIRED_SCOPES, targets) ?? [];
      req.platformAdminKey = await this.admins.authenticate(req.headers.authorization, required);
      this.context.setPrincipal(`platform-admin:${req.platformAdminKey.id}`);
    } else if (kind === 'user') {
      await this.authenticateUser(req);
    } else {
      await this.authenticateService(req);
    }
    return true;
  }

  private async authenticateUser(req: AuthenticatedRequest): Promise<void> {
    const header = req.headers.authorization;
    if (!header) throw new DomainError('auth.missing_credentials', undefined, undefined, USER_CHALLENGE);
    const m = USER_BEARER.exec(header);
    if (!m) throw new DomainError('auth.token.invalid', undefined, undefined, USER_CHALLENGE);
    if (!this.users) throw new DomainError('auth.invalid_credentials', 'This process cannot verify access tokens.', undefined, USER_CHALLENGE);
    const principal = await this.users.verify(this.context.requireTenant(), m[1]);
    req.principal = principal;
    this.context.setPrincipal(`user:${principal.userId}`);
  }

  private async authenticateService(req: AuthenticatedRequest): Promise<void> {
    if (!this.services) throw new DomainError('auth.invalid_client', 'This process cannot verify service credentials.');
    const service = await this.services.authenticate({ authorization: req.headers.authorization, body: req.body, ip: req.ip ?? null });
    req.servicePrincipal = service;
    this.context.setPrincipal(`service:${service.credentialId}`);
  }
}
