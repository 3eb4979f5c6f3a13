import { createParamDecorator, ExecutionContext } from '@nestjs/common';

export interface AuthenticatedAdminKey {
  id: string;
  scopes: string[];
  expiresAt: Date | null;
}

/** The platform API key that PlatformAdminGuard authenticated for this request. */
export const CurrentAdminKey = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthenticatedAdminKey => {
  const key = ctx.switchToHttp().getRequest<{ platformAdminKey?: AuthenticatedAdminKey }>().platformAdminKey;
  if (!key) throw new Error('CurrentAdminKey used on a route without PlatformAdminGuard');
  return key;
});
