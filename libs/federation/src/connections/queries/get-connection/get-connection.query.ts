export class GetConnectionQuery {
  constructor(
    readonly tenantId: string,
    readonly id: string,
  ) {}
}
