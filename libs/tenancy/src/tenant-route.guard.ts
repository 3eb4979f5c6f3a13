import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { TenantRegistry } from './tenant-registry';

const SLUG = /^[a-z][a-z0-9-]{1,62}$/;

/**
 * For routes under `/v1/t/:tenant`: resolves the path's tenant against the registry and puts it
 * in context. Later, a token's `tid` must match it; a raw header never names a tenant.
 */
@Injectable()
export class TenantRouteGuard implements CanActivate {
  constructor(
    private readonly registry: TenantRegistry,
    private readonly context: RequestContext,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<{ params: Record<string, string> }>();
    const slug = req.params.tenant;
    if (typeof slug !== 'string' || !SLUG.test(slug)) throw new DomainError('tenant.not_found');
    this.context.setTenant(await this.registry.resolveServing(slug));
    return true;
  }
}
