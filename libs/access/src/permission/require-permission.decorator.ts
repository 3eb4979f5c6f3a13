import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AuthorizationDecision, TargetInput } from '../ports';
import type { AuthenticatedRequest } from '../principals';

export interface AuthzRequest extends AuthenticatedRequest {
  accessDecision?: AuthorizationDecision;
}

export interface PermissionRule {
  resource: string;
  action: string;
  /** The record the route acts on. Read before validation: treat what it reads as untrusted. */
  target?: (req: AuthzRequest) => TargetInput | undefined;
  /** Any scope of the permission passes; the handler narrows its result by the decision's scopes. */
  narrowable?: boolean;
}

export const PERMISSION_RULE = 'credence:permission-rule';

/**
 * The permission a route needs, checked by PermissionGuard against the roles stored now. Without a
 * `target` only `:any` grants pass (a condition needs a record to hold against).
 */
export const RequirePermission = (resource: string, action: string, options: Omit<PermissionRule, 'resource' | 'action'> = {}) =>
  SetMetadata(PERMISSION_RULE, { resource, action, ...options } satisfies PermissionRule);

/** Target: the user named by a path parameter (GET /users/:id). */
export const userFromParam =
  (name = 'id') =>
  (req: AuthzRequest): TargetInput => ({ userId: req.params[name] });

/** Target: a record described by the body's `attributes` (a user about to be created). */
export const attributesFromBody = (req: AuthzRequest): TargetInput => {
  const body = req.body as { attributes?: unknown } | undefined;
  const attributes = body && typeof body === 'object' ? body.attributes : undefined;
  return { attributes: attributes && typeof attributes === 'object' && !Array.isArray(attributes) ? (attributes as Record<string, unknown>) : {} };
};

/** The decision PermissionGuard made for this request (scopes, subject), for handlers that narrow. */
export const CurrentDecision = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthorizationDecision => {
  const decision = ctx.switchToHttp().getRequest<AuthzRequest>().accessDecision;
  if (!decision) throw new Error('CurrentDecision used on a route without PermissionGuard');
  return decision;
});
