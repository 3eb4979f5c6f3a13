export class DeleteConnectionCommand {
  constructor(
    readonly tenantId: string,
    readonly id: string,
  ) {}
}
