import type { ClientInfo } from '../../../sessions/client-info';

export interface UserChanges {
  email?: string;
  username?: string | null;
  displayName?: string | null;
  phone?: string | null;
  password?: string;
  /** Required when users change their own password. */
  currentPassword?: string;
  /** Merged into the stored attributes; null removes a key. */
  attributes?: Record<string, string | number | boolean | null>;
}

export class UpdateUserCommand {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly changes: UserChanges,
    /** Who asks, and from which session: a password change ends the user's other sessions, not the caller's own. */
    readonly caller: { userId: string; sessionId: string },
    /** Recorded on the failure events of a wrong current password, as for a failed sign-in. */
    readonly client: ClientInfo,
  ) {}
}
