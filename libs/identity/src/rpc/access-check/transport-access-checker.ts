import { Injectable } from '@nestjs/common';
import type { AccessCheckRequest, AccessCheckResponse } from '@credence/contracts';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { TenantRegistry } from '@credence/tenancy';
import { AuthorizationService } from '../../authz/authorization.service';

/** identity.access.check over the transport: the same engine as permissions/check over HTTP. */
@Injectable()
export class TransportAccessChecker {
  constructor(
    private readonly registry: TenantRegistry,
    private readonly authz: AuthorizationService,
    private readonly context: RequestContext,
  ) {}

  async check(request: AccessCheckRequest): Promise<AccessCheckResponse> {
    if (!request || [request.tenant, request.user_id, request.resource, request.action].some((v) => typeof v !== 'string')) {
      return { allowed: false, reason: 'bad_request: tenant, user_id, resource and action are required' };
    }
    let tenant;
    try {
      tenant = await this.registry.resolveServing(request.tenant);
    } catch (err) {
      if (err instanceof DomainError && err.category !== 'internal' && err.category !== 'unavailable') return { allowed: false, reason: err.code };
      throw err;
    }
    const ctx = request.context ?? {};
    const target = request.context
      ? {
          userId: typeof ctx.owner_id === 'string' ? ctx.owner_id : typeof ctx.user_id === 'string' ? ctx.user_id : undefined,
          attributes: ctx as Record<string, unknown>,
        }
      : undefined;
    const decision = await this.context.runWith({ tenant, principal: 'service:transport' }, () =>
      this.authz.check(request.user_id, { resource: request.resource, action: request.action, target }),
    );
    return { allowed: decision.allowed, reason: decision.permission ? `${decision.reason}: ${decision.permission}` : `${decision.reason}: ${decision.detail}` };
  }
}
