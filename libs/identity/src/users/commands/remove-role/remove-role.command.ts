export class RemoveRoleCommand {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    /** A role's name or id. */
    readonly role: string,
  ) {}
}
