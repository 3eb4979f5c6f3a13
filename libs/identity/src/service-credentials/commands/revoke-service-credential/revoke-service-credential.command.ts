export class RevokeServiceCredentialCommand {
  constructor(
    readonly tenantId: string,
    readonly id: string,
  ) {}
}
