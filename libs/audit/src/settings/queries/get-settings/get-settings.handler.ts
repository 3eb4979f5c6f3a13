import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@credence/errors';
import { TenantStore, TenantTransactionRunner } from '@credence/tenancy';
import { responseOf, SettingsResponse } from '../../settings-groups';
import { GetSettingsQuery } from './get-settings.query';

/** Reads the stored settings (not the registry's 2-second cache), so a change shows at once. */
@QueryHandler(GetSettingsQuery)
export class GetSettingsHandler implements IQueryHandler<GetSettingsQuery, SettingsResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly tenants: TenantStore,
  ) {}

  async execute(q: GetSettingsQuery): Promise<SettingsResponse> {
    const tenant = this.runner.assertAmbientTenant(q.tenantId);
    const row = await this.tenants.withSettings(tenant.id);
    if (!row) throw new DomainError('tenant.not_found');
    return responseOf(q.group, row.settings);
  }
}
