import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@credence/errors';
import { TenantStore } from '@credence/tenancy';
import { TenantResponse, toTenantResponse } from '../../dto/tenant.response';
import { GetTenantQuery } from './get-tenant.query';

@QueryHandler(GetTenantQuery)
export class GetTenantHandler implements IQueryHandler<GetTenantQuery, TenantResponse> {
  constructor(private readonly tenants: TenantStore) {}

  async execute(q: GetTenantQuery): Promise<TenantResponse> {
    const row = await this.tenants.findBySlug(q.slug);
    if (!row) throw new DomainError('tenant.not_found');
    return toTenantResponse(row);
  }
}
