export class CreateRoleCommand {
  constructor(
    readonly tenantId: string,
    readonly name: string,
    readonly description: string,
    readonly permissions: string[],
  ) {}
}
