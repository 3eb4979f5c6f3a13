export class CreateServiceCredentialCommand {
  constructor(
    readonly tenantId: string,
    readonly name: string,
  ) {}
}
