import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@credence/errors';
import { AccessDecision, decide, Grant, grantFrom, Subject } from './access-decision';
import { AuthorizationService } from './authorization.service';
import { AuthzRequest, PERMISSION_RULE, PermissionRule, ServicePrincipal } from './require-permission.decorator';

function serviceSubject(service: ServicePrincipal): Subject {
  const grants = service.permissions.map((p) => grantFrom(p, `service:${service.clientId}`)).filter((g): g is Grant => !!g);
  return { userId: `service:${service.credentialId}`, status: 'active', attributes: {}, grants };
}

/**
 * Authorizes a route by its @RequirePermission, after an authentication guard (AccessTokenGuard, or
 * later a ServiceCredentialGuard) has named the caller. The caller's roles and attributes are read from
 * the database on every request: a token's roles claim may be stale. A denial answers 403
 * authz.access.denied and records authz.access.denied.
 */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authz: AuthorizationService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<PermissionRule | undefined>(PERMISSION_RULE, [ctx.getHandler(), ctx.getClass()]);
    if (!rule) throw new Error(`${ctx.getClass().name}.${ctx.getHandler().name} has PermissionGuard but no @RequirePermission`);
    const req = ctx.switchToHttp().getRequest<AuthzRequest>();
    const query = { resource: rule.resource, action: rule.action, target: rule.target?.(req), narrowable: rule.narrowable };
    let decision: AccessDecision;
    let callerId: string | null;
    if (req.principal) {
      callerId = req.principal.userId;
      decision = await this.authz.check(callerId, query);
    } else if (req.servicePrincipal) {
      callerId = null;
      decision = decide(serviceSubject(req.servicePrincipal), rule.resource, rule.action, query.target ? {} : undefined, rule.narrowable);
    } else {
      throw new DomainError('auth.missing_credentials');
    }
    req.accessDecision = decision;
    if (!decision.allowed) await this.authz.deny(callerId, rule.resource, rule.action, decision.reason);
    return true;
  }
}
