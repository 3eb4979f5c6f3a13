import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TenantTransactionRunner } from '@credence/tenancy';
import { AuthorizationService } from '../authorization.service';
import { AccessAnswerResponse } from './check-access.dto';
import { CheckAccessQuery } from './check-access.query';

@QueryHandler(CheckAccessQuery)
export class CheckAccessHandler implements IQueryHandler<CheckAccessQuery, AccessAnswerResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly authz: AuthorizationService,
  ) {}

  async execute(q: CheckAccessQuery): Promise<AccessAnswerResponse> {
    this.runner.assertAmbientTenant(q.tenantId);
    const decision = await this.authz.check(q.userId, { resource: q.resource, action: q.action, target: q.target });
    return { allowed: decision.allowed, reason: decision.reason, permission: decision.permission, detail: decision.detail };
  }
}
