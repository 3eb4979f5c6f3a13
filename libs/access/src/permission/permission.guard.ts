import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@credence/errors';
import { PERMISSION_AUTHORIZER, PermissionAuthorizer, PermissionQuery, TenantCaller } from '../ports';
import { AuthzRequest, PERMISSION_RULE, PermissionRule } from './require-permission.decorator';

/**
 * Authorizes a tenant caller (user or service) by the route's @RequirePermission, through the
 * permission engine (PERMISSION_AUTHORIZER, bound by identity); runs after the global
 * AuthenticationGuard. A platform admin is authorized by the route's @AdminScopes, which that guard
 * already checked. A denial answers 403 authz.access.denied and is recorded.
 */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Optional() @Inject(PERMISSION_AUTHORIZER) private readonly authz?: PermissionAuthorizer,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<PermissionRule | undefined>(PERMISSION_RULE, [ctx.getHandler(), ctx.getClass()]);
    if (!rule) throw new Error(`${ctx.getClass().name}.${ctx.getHandler().name} has PermissionGuard but no @RequirePermission`);
    const req = ctx.switchToHttp().getRequest<AuthzRequest>();
    if (req.platformAdminKey) return true;
    const caller: TenantCaller | undefined = req.principal ? { user: req.principal } : req.servicePrincipal ? { service: req.servicePrincipal } : undefined;
    if (!caller) throw new DomainError('auth.missing_credentials');
    if (!this.authz) throw new Error('PermissionGuard needs a PERMISSION_AUTHORIZER (import IdentityAccessModule)');
    const query: PermissionQuery = { resource: rule.resource, action: rule.action, target: rule.target?.(req), narrowable: rule.narrowable };
    const decision = await this.authz.decide(caller, query);
    req.accessDecision = decision;
    if (!decision.allowed) await this.authz.deny(caller, query, decision.reason);
    return true;
  }
}
