export interface UserChanges {
  email?: string;
  username?: string | null;
  displayName?: string | null;
  phone?: string | null;
  password?: string;
  /** Merged into the stored attributes; null removes a key. */
  attributes?: Record<string, string | number | boolean | null>;
}

export class UpdateUserCommand {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly changes: UserChanges,
  ) {}
}
