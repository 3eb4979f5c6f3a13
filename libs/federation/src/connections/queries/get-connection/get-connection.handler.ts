import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { TenantTransactionRunner } from '@credence/tenancy';
import { getConnection } from '../../connection-row';
import { ConnectionResponse, toConnectionResponse } from '../../dto/connection.response';
import { GetConnectionQuery } from './get-connection.query';

@QueryHandler(GetConnectionQuery)
export class GetConnectionHandler implements IQueryHandler<GetConnectionQuery, ConnectionResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(q: GetConnectionQuery): Promise<ConnectionResponse> {
    const tenant = this.runner.assertAmbientTenant(q.tenantId);
    return toConnectionResponse(this.config.CREDENCE_BASE_URL, tenant.slug, await this.runner.inTenant((uow) => getConnection(uow, q.id)));
  }
}
