import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { sha256 } from '@credence/crypto';
import { TenantRouteGuard, TenantTransactionRunner } from '@credence/tenancy';
import { scimError } from '../scim-error';
import { CachedDirectory, DirectoryTokenCache } from './directory-token-cache';
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
 * first, then the token's SHA-256 is looked up in that tenant's schema only (or in that tenant's copies
 * in memory, DirectoryTokenCache), so a token of another tenant's directory is unknown here (401).
 */
@Injectable()
export class ScimTokenGuard implements CanActivate {
  constructor(
    private readonly tenantRoute: TenantRouteGuard,
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    private readonly tokens: DirectoryTokenCache,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<ScimRequest>();
    await this.tenantRoute.canActivate(ctx);
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!m) throw scimError('scim.invalid_token');
    const tenant = this.context.requireTenant();
    const hash = sha256(m[1]);
    const version = await this.tokens.version(tenant.id);
    let directory: CachedDirectory | undefined = this.tokens.get(tenant.id, hash, version);
    if (!directory) {
      const [row] = await this.runner.queryInTenant<{ id: string; group_role_mapping: ScimDirectory['groupRoleMapping'] }[]>(
        'SELECT id, group_role_mapping FROM scim_directories WHERE token_hash = $1',
        [hash],
      );
      if (!row) throw scimError('scim.invalid_token');
      directory = { id: row.id, groupRoleMapping: row.group_role_mapping };
      this.tokens.put(tenant.id, hash, version, directory);
    }
    this.context.setPrincipal(`scim-directory:${directory.id}`);
    req.scimDirectory = { id: directory.id, tenantId: tenant.id, groupRoleMapping: directory.groupRoleMapping, base: `/v1/t/${req.params.tenant}/scim/v2` };
    return true;
  }
}
