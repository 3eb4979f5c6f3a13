import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { DomainError } from '@credence/errors';
import { PlatformAdminGuard } from '@credence/platform-admin';

/**
 * Tenant admins read their own tenant's events with their access token: verified for the route's
 * tenant, role tenant_admin. Bound to TENANT_ADMIN_EVENTS_READER (TenantAdminTokenReader).
 */
export interface TenantAdminEventsReader {
  /** True for a valid tenant-admin token of the tenant in context, false for another valid token; throws for an invalid one. */
  allows(ctx: ExecutionContext, token: string): Promise<boolean>;
}
export const TENANT_ADMIN_EVENTS_READER = Symbol('TENANT_ADMIN_EVENTS_READER');

const JWT = /^bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

/**
 * Who may replay a tenant's events: a platform admin (API key with tenants:read) for any tenant,
 * or that tenant's admin. Runs after TenantRouteGuard, which put the path's tenant in context.
 */
@Injectable()
export class ReplayReadersGuard implements CanActivate {
  constructor(
    private readonly platformAdmins: PlatformAdminGuard,
    @Optional() @Inject(TENANT_ADMIN_EVENTS_READER) private readonly tenantAdmins?: TenantAdminEventsReader,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const header = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization ?? '';
    const jwt = JWT.exec(header);
    if (jwt) {
      if (!this.tenantAdmins) throw new DomainError('auth.invalid_credentials');
      if (await this.tenantAdmins.allows(ctx, jwt[1])) return true;
      throw new DomainError('auth.insufficient_scope', 'Only tenant admins and platform admins read events.');
    }
    return this.platformAdmins.canActivate(ctx);
  }
}
