export class OffboardTenantCommand {
  constructor(readonly slug: string) {}
}
