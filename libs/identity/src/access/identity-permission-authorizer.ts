import { Injectable } from '@nestjs/common';
import type { AuthorizationDecision, PermissionAuthorizer, PermissionQuery, ServicePrincipal, TenantCaller } from '@credence/access';
import { decide, Grant, grantFrom, Subject } from '../authz/access-decision';
import { AuthorizationService } from '../authz/authorization.service';

/**
 * Subjects of service credentials, by the principal's permissions array: a credential served from
 * the in-process cache hands out the same array on every request, so its grants are parsed once per
 * load instead of once per request (3 % of an introspection's CPU). An entry answers only for the
 * credential it was built for.
 */
const serviceSubjects = new WeakMap<readonly string[], { credentialId: string; clientId: string; subject: Subject }>();

function serviceSubject(service: ServicePrincipal): Subject {
  const known = serviceSubjects.get(service.permissions);
  if (known && known.credentialId === service.credentialId && known.clientId === service.clientId) return known.subject;
  const grants = service.permissions.map((p) => grantFrom(p, `service:${service.clientId}`)).filter((g): g is Grant => !!g);
  const subject: Subject = { userId: `service:${service.credentialId}`, status: 'active', attributes: Object.freeze({}), grants };
  serviceSubjects.set(service.permissions, { credentialId: service.credentialId, clientId: service.clientId, subject });
  return subject;
}

/**
 * PERMISSION_AUTHORIZER: the permission engine for the access lib's PermissionGuard. A user's roles
 * and attributes are read from the database on every request (a token's roles claim may be stale); a
 * service holds only the grants of its credential, which own no records.
 */
@Injectable()
export class IdentityPermissionAuthorizer implements PermissionAuthorizer {
  constructor(private readonly authz: AuthorizationService) {}

  decide(caller: TenantCaller, q: PermissionQuery): Promise<AuthorizationDecision> {
    if ('user' in caller) return this.authz.check(caller.user.userId, q);
    return Promise.resolve(decide(serviceSubject(caller.service), q.resource, q.action, q.target ? {} : undefined, q.narrowable));
  }

  deny(caller: TenantCaller, q: PermissionQuery, reason: string, detail?: string): Promise<never> {
    return this.authz.deny('user' in caller ? caller.user.userId : null, q.resource, q.action, reason, detail);
  }
}
