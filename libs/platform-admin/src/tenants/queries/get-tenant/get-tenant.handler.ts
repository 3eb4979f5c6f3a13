import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { DomainError } from '@credence/errors';
import { TENANT_SELECT, TenantResponse, TenantRow, toTenantResponse } from '../../dto/tenant.response';
import { GetTenantQuery } from './get-tenant.query';

@QueryHandler(GetTenantQuery)
export class GetTenantHandler implements IQueryHandler<GetTenantQuery, TenantResponse> {
  constructor(private readonly dataSource: DataSource) {}

  async execute(q: GetTenantQuery): Promise<TenantResponse> {
    const [row]: TenantRow[] = await this.dataSource.query(`${TENANT_SELECT} WHERE t.slug = $1`, [q.slug]);
    if (!row) throw new DomainError('tenant.not_found');
    return toTenantResponse(row);
  }
}
