export class GetUserQuery {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
  ) {}
}
