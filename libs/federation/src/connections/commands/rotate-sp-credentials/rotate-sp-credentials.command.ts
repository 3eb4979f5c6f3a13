export class RotateSpCredentialsCommand {
  constructor(
    readonly tenantId: string,
    readonly id: string,
  ) {}
}
