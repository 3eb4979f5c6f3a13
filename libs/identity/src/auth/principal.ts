import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** The signed-in user behind a verified access token. */
export interface Principal {
  userId: string;
  tenantId: string;
  sessionId: string;
  jti: string;
  roles: string[];
  /** Seconds since epoch when the presented token expires. */
  expiresAt: number;
}

export interface RequestWithPrincipal {
  principal?: Principal;
}

/** The principal AccessTokenGuard verified for this request. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without AccessTokenGuard');
  return principal;
});
