export class AssignRoleCommand {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    /** A role's name or id. */
    readonly role: string,
    /** Who asks: acting on another user needs to outrank them (TargetRank). */
    readonly callerId: string,
  ) {}
}
