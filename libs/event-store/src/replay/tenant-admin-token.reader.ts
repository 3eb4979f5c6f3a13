import { ExecutionContext, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { TokenVerifier } from '@credence/identity';
import { TenantTransactionRunner } from '@credence/tenancy';
import { TenantAdminEventsReader } from './replay-readers.guard';

const TENANT_ADMIN_ROLE = 'tenant_admin';

/**
 * A tenant admin's access token, verified by the identity lib against the route's tenant only
 * (a token of tenant A never verifies at tenant B), whose user holds the tenant_admin role now:
 * the role is read from the database, not the token's claim, which may predate a demotion. The verifier is
 * looked up when needed, because processes without the identity module cannot verify tokens at all.
 */
@Injectable()
export class TenantAdminTokenReader implements TenantAdminEventsReader {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly context: RequestContext,
    private readonly runner: TenantTransactionRunner,
  ) {}

  async allows(_ctx: ExecutionContext, token: string): Promise<boolean> {
    let verifier: TokenVerifier;
    try {
      verifier = this.moduleRef.get(TokenVerifier, { strict: false });
    } catch {
      throw new DomainError('auth.invalid_credentials', 'This process cannot verify access tokens; use a platform API key.');
    }
    const tenant = this.context.tenant;
    if (!tenant) throw new DomainError('tenant.context_missing');
    const principal = await verifier.verify(tenant, token);
    if (principal.tenantId !== tenant.id) return false;
    this.context.setPrincipal(`user:${principal.userId}`);
    const rows = await this.runner.inTenant((uow) =>
      uow.query<unknown[]>(
        `SELECT 1 FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
          WHERE u.id = $1 AND u.status = 'active' AND r.name = $2`,
        [principal.userId, TENANT_ADMIN_ROLE],
      ),
    );
    return rows.length > 0;
  }
}
