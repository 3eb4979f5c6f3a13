import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TenantTransactionRunner } from '@credence/tenancy';
import { Page, pageOf } from '@credence/http';
import { SERVICE_CREDENTIAL_COLUMNS, ServiceCredentialResponse, ServiceCredentialRow, toServiceCredentialResponse } from '../../dto/service-credential.response';
import { ListServiceCredentialsQuery } from './list-service-credentials.query';

/** Revoked credentials stay listed (with revoked_at) so an admin can see what was retired and when. */
@QueryHandler(ListServiceCredentialsQuery)
export class ListServiceCredentialsHandler implements IQueryHandler<ListServiceCredentialsQuery, Page<ServiceCredentialResponse>> {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async execute(q: ListServiceCredentialsQuery): Promise<Page<ServiceCredentialResponse>> {
    this.runner.assertAmbientTenant(q.tenantId);
    const rows = await this.runner.queryInTenant<ServiceCredentialRow[]>(
      `SELECT ${SERVICE_CREDENTIAL_COLUMNS} FROM service_credentials WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [q.after, q.limit + 1],
    );
    return pageOf(rows, q.limit, toServiceCredentialResponse);
  }
}
