import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthenticatedAdminKey, AuthenticatedRequest, ServicePrincipal, UserPrincipal } from './principals';

/** The user the global guard authenticated (a route with @Authenticate('user')). */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): UserPrincipal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentUser used on a route that did not authenticate a user');
  return principal;
});

/** The service the global guard authenticated (a route with @Authenticate('service')). */
export const CurrentService = createParamDecorator((_data: unknown, ctx: ExecutionContext): ServicePrincipal => {
  const service = ctx.switchToHttp().getRequest<AuthenticatedRequest>().servicePrincipal;
  if (!service) throw new Error('CurrentService used on a route that did not authenticate a service');
  return service;
});

/** The platform API key the global guard authenticated (a route with @Authenticate('platform_admin')). */
export const CurrentAdminKey = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthenticatedAdminKey => {
  const key = ctx.switchToHttp().getRequest<AuthenticatedRequest>().platformAdminKey;
  if (!key) throw new Error('CurrentAdminKey used on a route that did not authenticate a platform admin');
  return key;
});
