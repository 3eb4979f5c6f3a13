import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { sha256 } from '@credence/crypto';
import { TenantRouteGuard, TenantTransactionRunner } from '@credence/tenancy';
import { scimError } from '../scim-error';
import type { ScimDirectory } from './scim-directory';

const BEARER = /^bearer +(scim_[A-Za-z0-9_-]{43})$/i;

interface ScimRequest {
  headers: Record<string, string | string[] | undefined>;
  params: Record<string, string>;
  protocol?: string;
  hostname?: string;
  scimDirectory?: ScimDirectory;
}

/**
 * SCIM routes authenticate by the directory's bearer token (RFC 7644 §2): the path's tenant is resolved
 * first, then the token's SHA-256 is looked up in that tenant's schema only, so a token of another
 * tenant's directory is unknown here (401).
 */
@Injectable()
export class ScimTokenGuard implements CanActivate {
  constructor(
    private readonly tenantRoute: TenantRouteGuard,
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<ScimRequest>();
    await this.tenantRoute.canActivate(ctx);
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!m) throw scimError('scim.invalid_token');
    const [row] = await this.runner.inTenant((uow) =>
      uow.query<{ id: string; group_role_mapping: ScimDirectory['groupRoleMapping'] }[]>('SELECT id, group_role_mapping FROM scim_directories WHERE token_hash = $1', [
        sha256(m[1]),
      ]),
    );
    if (!row) throw scimError('scim.invalid_token');
    const tenant = this.context.requireTenant();
    this.context.setPrincipal(`scim-directory:${row.id}`);
    req.scimDirectory = { id: row.id, tenantId: tenant.id, groupRoleMapping: row.group_role_mapping, base: `/v1/t/${req.params.tenant}/scim/v2` };
    return true;
  }
}
