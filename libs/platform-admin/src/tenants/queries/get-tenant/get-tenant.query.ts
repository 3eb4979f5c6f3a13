export class GetTenantQuery {
  constructor(readonly slug: string) {}
}
