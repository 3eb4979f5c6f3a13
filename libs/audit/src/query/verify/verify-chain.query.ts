import { TENANT_TRAIL, TrailTables } from '../../trail/trail-tables';

export class VerifyChainQuery {
  constructor(
    /** The ambient tenant, or PLATFORM_TENANT_ID for the platform trail. */
    readonly tenantId: string,
    readonly trail: TrailTables = TENANT_TRAIL,
  ) {}
}
