import type { AuditFilter } from '../shared/audit-filter-sql';
import type { EventPosition } from '../shared/event-cursor';

export class ListAuditEventsQuery {
  constructor(
    readonly tenantId: string,
    readonly filter: AuditFilter,
    readonly limit: number,
    readonly after: EventPosition | null,
    /** Whether ip, user agent, location and identity fields are shown unmasked. */
    readonly personal: boolean,
  ) {}
}
