import type { TenantSettings } from '@credence/tenancy';

export class UpdateTenantCommand {
  constructor(
    readonly slug: string,
    readonly changes: { name?: string; domains?: string[]; settings?: TenantSettings },
  ) {}
}
