export interface RoleChanges {
  name?: string;
  description?: string;
  /** Replaces the role's own permissions. */
  permissions?: string[];
}

export class UpdateRoleCommand {
  constructor(
    readonly tenantId: string,
    /** The role's id or name. */
    readonly role: string,
    readonly changes: RoleChanges,
  ) {}
}
