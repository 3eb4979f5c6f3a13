import { Injectable } from '@nestjs/common';
import type { UnitOfWork } from '@credence/tenancy';

/**
 * Ends every session of a user, inside the caller's unit of work (the user's actor), when the user
 * is disabled or deleted. Sessions implement it; provide it as
 * `{ provide: USER_SESSIONS_REVOKER, useExisting: <their class> }` in IdentityModule.
 */
export interface UserSessionsRevoker {
  revokeAllForUser(uow: UnitOfWork, userId: string, reason: 'user_disabled' | 'user_deleted'): Promise<void>;
}

export const USER_SESSIONS_REVOKER = Symbol('USER_SESSIONS_REVOKER');

/**
 * Default until sessions provide the real one. Meanwhile PermissionGuard still refuses a disabled or
 * deleted user on every permission-guarded route, since it reads the user's status per request.
 */
@Injectable()
export class NoopUserSessionsRevoker implements UserSessionsRevoker {
  async revokeAllForUser(): Promise<void> {}
}
