export class DeleteRoleCommand {
  constructor(
    readonly tenantId: string,
    /** The role's id or name. */
    readonly role: string,
  ) {}
}
