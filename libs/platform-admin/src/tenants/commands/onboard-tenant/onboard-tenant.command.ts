import type { TenantSettings } from '@credence/tenancy';

export class OnboardTenantCommand {
  constructor(
    readonly slug: string,
    readonly name: string,
    readonly domains: string[],
    readonly admin: { email: string; password?: string },
    readonly settings: TenantSettings,
  ) {}
}
