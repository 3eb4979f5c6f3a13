export class ListApplicationsQuery {
  constructor(
    readonly tenantId: string,
    readonly limit: number,
    readonly after: string | null,
  ) {}
}
