import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Page, pageOf } from '@credence/http';
import { TenantTransactionRunner } from '@credence/tenancy';
import { APPLICATION_COLUMNS, ApplicationRow } from '../../application-row';
import { ApplicationResponse, toApplicationResponse } from '../../dto/application.response';
import { ListApplicationsQuery } from './list-applications.query';

/** Oldest first (ids are UUIDv7); secrets are never listed. */
@QueryHandler(ListApplicationsQuery)
export class ListApplicationsHandler implements IQueryHandler<ListApplicationsQuery, Page<ApplicationResponse>> {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async execute(q: ListApplicationsQuery): Promise<Page<ApplicationResponse>> {
    this.runner.assertAmbientTenant(q.tenantId);
    const rows = await this.runner.queryInTenant<ApplicationRow[]>(`SELECT ${APPLICATION_COLUMNS} FROM applications WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2`, [
      q.after,
      q.limit + 1,
    ]);
    return pageOf(rows, q.limit, toApplicationResponse);
  }
}
