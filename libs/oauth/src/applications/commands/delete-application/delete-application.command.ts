export class DeleteApplicationCommand {
  constructor(
    readonly tenantId: string,
    readonly id: string,
  ) {}
}
