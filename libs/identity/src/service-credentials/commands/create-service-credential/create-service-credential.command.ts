import type { ServicePermission } from '../../service-permissions';

export class CreateServiceCredentialCommand {
  constructor(
    readonly tenantId: string,
    readonly name: string,
    readonly permissions: readonly ServicePermission[],
  ) {}
}
