import type { ClientInfo } from '../../sessions/client-info';

/** A signed-in user changes their own password (POST /me/password); the session that asks stays signed in. */
export class ChangePasswordCommand {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly sessionId: string,
    readonly currentPassword: string,
    readonly newPassword: string,
    /** Recorded on the failure events a wrong current password raises, as for a failed sign-in. */
    readonly client: ClientInfo,
  ) {}
}
