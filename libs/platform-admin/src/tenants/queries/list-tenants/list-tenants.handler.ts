import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Page, pageOf } from '@credence/http';
import { TenantStore } from '@credence/tenancy';
import { TenantResponse, toTenantResponse } from '../../dto/tenant.response';
import { ListTenantsQuery } from './list-tenants.query';

/** Keyset pagination on the UUIDv7 id (creation order); tenants still provisioning are not listed. */
@QueryHandler(ListTenantsQuery)
export class ListTenantsHandler implements IQueryHandler<ListTenantsQuery, Page<TenantResponse>> {
  constructor(private readonly tenants: TenantStore) {}

  async execute(q: ListTenantsQuery): Promise<Page<TenantResponse>> {
    const rows = await this.tenants.list({ after: q.after ?? undefined, status: q.status, limit: q.limit + 1 });
    return pageOf(rows, q.limit, toTenantResponse);
  }
}
