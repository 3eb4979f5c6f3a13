import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Names the owner of `:id` so PermissionGuard can judge :self and :department against it; 404 when no such session. */
@Injectable()
export class SessionOwnerGuard implements CanActivate {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<{ params: Record<string, string>; sessionOwner?: string }>();
    const id = req.params.id;
    if (!UUID.test(id ?? '')) throw new DomainError('session.not_found');
    const [row] = await this.runner.queryInTenant<{ user_id: string }[]>('SELECT user_id FROM auth_sessions WHERE id = $1', [id]);
    if (!row) throw new DomainError('session.not_found');
    req.sessionOwner = row.user_id;
    return true;
  }
}
