export class VerifyChainQuery {
  constructor(readonly tenantId: string) {}
}
