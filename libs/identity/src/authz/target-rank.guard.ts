import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthzRequest, PERMISSION_RULE, PermissionRule } from '@credence/access';
import { TargetRank } from './target-rank.service';

/**
 * For routes that act on another user without a command handler of their own (revoking a session,
 * erasure): after PermissionGuard, refuses a caller who does not outrank the user the route's
 * @RequirePermission target names (TargetRank). Routes with a handler judge inside it instead.
 */
@Injectable()
export class TargetRankGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly rank: TargetRank,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<PermissionRule | undefined>(PERMISSION_RULE, [ctx.getHandler(), ctx.getClass()]);
    const req = ctx.switchToHttp().getRequest<AuthzRequest>();
    const targetId = rule?.target?.(req)?.userId;
    if (!rule || !req.principal || !targetId) throw new Error(`${ctx.getClass().name}.${ctx.getHandler().name} has TargetRankGuard but no user target`);
    await this.rank.assertMayActOnNow(req.principal.userId, targetId, rule.resource, rule.action);
    return true;
  }
}
