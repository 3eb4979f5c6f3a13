export class RotateApplicationSecretCommand {
  constructor(
    readonly tenantId: string,
    readonly id: string,
  ) {}
}
