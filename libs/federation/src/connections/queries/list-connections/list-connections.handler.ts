import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { Page, pageOf } from '@credence/http';
import { TenantTransactionRunner } from '@credence/tenancy';
import { ConnectionRecord, RECORD_SELECT } from '../../connection-row';
import { ConnectionResponse, toConnectionResponse } from '../../dto/connection.response';
import { ListConnectionsQuery } from './list-connections.query';

/** Oldest first (ids are UUIDv7); secrets are never listed. */
@QueryHandler(ListConnectionsQuery)
export class ListConnectionsHandler implements IQueryHandler<ListConnectionsQuery, Page<ConnectionResponse>> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(q: ListConnectionsQuery): Promise<Page<ConnectionResponse>> {
    const tenant = this.runner.assertAmbientTenant(q.tenantId);
    const rows = await this.runner.queryInTenant<ConnectionRecord[]>(`${RECORD_SELECT} WHERE ($1::uuid IS NULL OR c.id > $1) ORDER BY c.id LIMIT $2`, [q.after, q.limit + 1]);
    return pageOf(rows, q.limit, (r) => toConnectionResponse(this.config.CREDENCE_BASE_URL, tenant.slug, r));
  }
}
