import type { IncidentPosition } from './incident-cursor';

export class ListIncidentsQuery {
  constructor(
    readonly tenantId: string,
    readonly rule: string | undefined,
    readonly limit: number,
    readonly after: IncidentPosition | null,
    readonly personal: boolean,
  ) {}
}
