export class AuditReportQuery {
  constructor(
    readonly tenantId: string,
    readonly from: string | undefined,
    readonly to: string | undefined,
  ) {}
}
