import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AccessTokenGuard } from '../auth/access-token.guard';

/**
 * Authenticates callers of service-facing routes (POST /permissions/check). Today only users'
 * access tokens: the route then needs `permission.check:any`. When ServiceCredentialGuard exists,
 * this delegates to it for a service credential (it sets `req.servicePrincipal`, which
 * PermissionGuard already understands) and to AccessTokenGuard otherwise.
 */
@Injectable()
export class UserOrServiceGuard implements CanActivate {
  constructor(private readonly accessTokens: AccessTokenGuard) {}

  canActivate(ctx: ExecutionContext): Promise<boolean> {
    return this.accessTokens.canActivate(ctx);
  }
}
