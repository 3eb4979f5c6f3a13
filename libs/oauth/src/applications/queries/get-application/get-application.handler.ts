import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TenantTransactionRunner } from '@credence/tenancy';
import { getApplication } from '../../application-row';
import { ApplicationResponse, toApplicationResponse } from '../../dto/application.response';
import { GetApplicationQuery } from './get-application.query';

@QueryHandler(GetApplicationQuery)
export class GetApplicationHandler implements IQueryHandler<GetApplicationQuery, ApplicationResponse> {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async execute(q: GetApplicationQuery): Promise<ApplicationResponse> {
    this.runner.assertAmbientTenant(q.tenantId);
    return toApplicationResponse(await this.runner.inTenant((uow) => getApplication(uow, q.id)));
  }
}
