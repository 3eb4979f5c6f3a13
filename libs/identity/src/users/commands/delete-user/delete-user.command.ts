export class DeleteUserCommand {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
  ) {}
}
