export class EraseUserCommand {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
  ) {}
}
