import { Injectable } from '@nestjs/common';
import type { UnitOfWork } from '@credence/tenancy';
import type { UserSessionsRevoker } from '../users/user-sessions-revoker';
import { SessionLifecycle } from './session-lifecycle';

/** Ends a disabled or deleted user's sessions in the user's own unit of work (rows, Redis marks, events). */
@Injectable()
export class SessionsOfUserRevoker implements UserSessionsRevoker {
  constructor(private readonly sessions: SessionLifecycle) {}

  async revokeAllForUser(uow: UnitOfWork, userId: string, reason: 'user_disabled' | 'user_deleted' | 'password_changed', exceptSessionId?: string): Promise<void> {
    await this.sessions.revokeInUnit(uow, { userId, exceptSessionId }, reason);
  }
}
