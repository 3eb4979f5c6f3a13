import type { AccessCheckRequest, AccessCheckResponse } from '@credence/contracts';

/** Decides whether a user may act on a resource. The identity lib binds the real one. */
export interface AccessChecker {
  check(request: AccessCheckRequest): Promise<AccessCheckResponse>;
}
export const ACCESS_CHECKER = Symbol('ACCESS_CHECKER');

/** Until the identity work binds ACCESS_CHECKER: deny, saying why (fail closed). */
export class AccessCheckNotSupported implements AccessChecker {
  async check(): Promise<AccessCheckResponse> {
    return { allowed: false, reason: 'not_supported: this Credence does not evaluate roles and permissions over the transport yet' };
  }
}
