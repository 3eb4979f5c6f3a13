export class ListRolesQuery {
  constructor(
    readonly tenantId: string,
    readonly limit: number,
    readonly after: string | null,
  ) {}
}
