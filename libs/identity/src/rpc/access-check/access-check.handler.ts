import { Injectable } from '@nestjs/common';
import type { AccessCheckRequest, AccessCheckResponse } from '@credence/contracts';
import { TransportAccessChecker } from './transport-access-checker';

const SLUG = /^[a-z][a-z0-9-]{1,62}$/;
const NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

/** identity.access.check: (user, resource, action, context) → allowed and the reason. */
@Injectable()
export class AccessCheckHandler {
  constructor(private readonly checker: TransportAccessChecker) {}

  async handle(input: unknown): Promise<AccessCheckResponse> {
    const req = input as Partial<AccessCheckRequest> | null;
    const ok =
      req &&
      typeof req.tenant === 'string' &&
      SLUG.test(req.tenant) &&
      typeof req.user_id === 'string' &&
      req.user_id.length <= 64 &&
      typeof req.resource === 'string' &&
      NAME.test(req.resource) &&
      typeof req.action === 'string' &&
      NAME.test(req.action) &&
      (req.context === undefined || (typeof req.context === 'object' && req.context !== null && !Array.isArray(req.context)));
    if (!ok) return { allowed: false, reason: 'malformed: send {"tenant", "user_id", "resource", "action", "context"?}' };
    return this.checker.check({ tenant: req.tenant!, user_id: req.user_id!, resource: req.resource!, action: req.action!, context: req.context });
  }
}
