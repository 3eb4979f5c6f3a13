import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TenantTransactionRunner } from '@credence/tenancy';
import { toUserResponse, UserResponse } from '../../dto/user.response';
import { loadUser } from '../../user-actor';
import { GetUserQuery } from './get-user.query';

@QueryHandler(GetUserQuery)
export class GetUserHandler implements IQueryHandler<GetUserQuery, UserResponse> {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async execute(q: GetUserQuery): Promise<UserResponse> {
    this.runner.assertAmbientTenant(q.tenantId);
    return toUserResponse(await this.runner.inTenant((uow) => loadUser(uow, q.userId)));
  }
}
