import type { TenantStatus } from '@credence/tenancy';

export class ListTenantsQuery {
  constructor(
    readonly limit: number,
    readonly after: string | null,
    readonly status?: TenantStatus,
  ) {}
}
