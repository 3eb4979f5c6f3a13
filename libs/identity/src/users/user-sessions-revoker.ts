import type { UnitOfWork } from '@credence/tenancy';

/**
 * Ends every session of a user, inside the caller's unit of work (the user's actor), when the user
 * is disabled or deleted. Sessions implement it (sessions/user-sessions-revoker.impl.ts).
 */
export interface UserSessionsRevoker {
  revokeAllForUser(uow: UnitOfWork, userId: string, reason: 'user_disabled' | 'user_deleted' | 'password_changed', exceptSessionId?: string): Promise<void>;
}

export const USER_SESSIONS_REVOKER = Symbol('USER_SESSIONS_REVOKER');
