import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TenantTransactionRunner } from '@credence/tenancy';
import { Page, pageOf } from '@credence/http';
import { RoleResponse, toRoleResponse } from '../../dto/role.response';
import { ROLE_COLUMNS, RoleRow } from '../../role-row';
import { ListRolesQuery } from './list-roles.query';

@QueryHandler(ListRolesQuery)
export class ListRolesHandler implements IQueryHandler<ListRolesQuery, Page<RoleResponse>> {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async execute(q: ListRolesQuery): Promise<Page<RoleResponse>> {
    this.runner.assertAmbientTenant(q.tenantId);
    const rows = await this.runner.queryInTenant<RoleRow[]>(`SELECT ${ROLE_COLUMNS} FROM roles WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2`, [q.after, q.limit + 1]);
    return pageOf(rows, q.limit, toRoleResponse);
  }
}
