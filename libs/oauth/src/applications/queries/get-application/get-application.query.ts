export class GetApplicationQuery {
  constructor(
    readonly tenantId: string,
    readonly id: string,
  ) {}
}
