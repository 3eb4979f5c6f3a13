export class ListConnectionsQuery {
  constructor(
    readonly tenantId: string,
    readonly limit: number,
    readonly after: string | null,
  ) {}
}
