import type { AuthzRequest, TargetInput } from '@credence/access';

/**
 * Target: the caller's own user record. The `/me` routes act on nobody else, so a `:self` grant
 * applies and the rules for acting on another user never come into it.
 */
export const ownRecord = (req: AuthzRequest): TargetInput => ({ userId: req.principal?.userId });
