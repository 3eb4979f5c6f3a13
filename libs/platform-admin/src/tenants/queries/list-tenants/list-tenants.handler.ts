import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { Page, pageOf } from '@credence/http';
import { TENANT_SELECT, TenantResponse, TenantRow, toTenantResponse } from '../../dto/tenant.response';
import { ListTenantsQuery } from './list-tenants.query';

/** Keyset pagination on the UUIDv7 id (creation order); tenants still provisioning are not listed. */
@QueryHandler(ListTenantsQuery)
export class ListTenantsHandler implements IQueryHandler<ListTenantsQuery, Page<TenantResponse>> {
  constructor(private readonly dataSource: DataSource) {}

  async execute(q: ListTenantsQuery): Promise<Page<TenantResponse>> {
    const rows: TenantRow[] = await this.dataSource.query(
      `${TENANT_SELECT}
        WHERE ($1::uuid IS NULL OR t.id > $1)
          AND (CASE WHEN $2::text IS NULL THEN t.status <> 'provisioning' ELSE t.status = $2 END)
        ORDER BY t.id LIMIT $3`,
      [q.after, q.status ?? null, q.limit + 1],
    );
    return pageOf(rows, q.limit, toTenantResponse);
  }
}
