import type { UserPrincipal } from '@credence/access';

/** A signed-in user ends one of their own sessions (DELETE /me/sessions/{id}). */
export class RevokeOwnSessionCommand {
  constructor(
    readonly tenantId: string,
    readonly sessionId: string,
    /** The caller: only their own sessions are found; their current one is a logout. */
    readonly caller: Pick<UserPrincipal, 'userId' | 'sessionId' | 'jti' | 'expiresAt'>,
  ) {}
}
