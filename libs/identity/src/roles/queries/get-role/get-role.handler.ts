import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TenantTransactionRunner } from '@credence/tenancy';
import { RoleResponse, toRoleResponse } from '../../dto/role.response';
import { getRole } from '../../role-row';
import { GetRoleQuery } from './get-role.query';

@QueryHandler(GetRoleQuery)
export class GetRoleHandler implements IQueryHandler<GetRoleQuery, RoleResponse> {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async execute(q: GetRoleQuery): Promise<RoleResponse> {
    this.runner.assertAmbientTenant(q.tenantId);
    return toRoleResponse(await this.runner.inTenant((uow) => getRole(uow, q.role)));
  }
}
