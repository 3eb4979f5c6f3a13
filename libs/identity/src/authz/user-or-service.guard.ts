import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AccessTokenGuard } from '../auth/access-token.guard';
import { ServiceCredentialGuard } from '../service-credentials/service-credential.guard';

/**
 * Authenticates callers of service-facing routes (POST /permissions/check): a service credential
 * (HTTP Basic) goes to ServiceCredentialGuard, anything else is a user's access token. PermissionGuard
 * then judges either principal against the route's permission.
 */
@Injectable()
export class UserOrServiceGuard implements CanActivate {
  constructor(
    private readonly accessTokens: AccessTokenGuard,
    private readonly services: ServiceCredentialGuard,
  ) {}

  canActivate(ctx: ExecutionContext): Promise<boolean> {
    const authorization = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization ?? '';
    return /^basic /i.test(authorization) ? this.services.canActivate(ctx) : this.accessTokens.canActivate(ctx);
  }
}
