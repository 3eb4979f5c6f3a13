import type { AuditFilter } from '../shared/audit-filter-sql';
import type { EventPosition } from '../shared/event-cursor';
import { TENANT_TRAIL, TrailTables } from '../../trail/trail-tables';

export class ListAuditEventsQuery {
  constructor(
    /** The ambient tenant, or PLATFORM_TENANT_ID for the platform trail. */
    readonly tenantId: string,
    readonly filter: AuditFilter,
    readonly limit: number,
    readonly after: EventPosition | null,
    /** Whether ip, user agent, location and identity fields are shown unmasked. */
    readonly personal: boolean,
    readonly trail: TrailTables = TENANT_TRAIL,
  ) {}
}
