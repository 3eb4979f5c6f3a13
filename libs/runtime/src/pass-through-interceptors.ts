import type { INestApplication, NestInterceptor } from '@nestjs/common';

/**
 * nestjs-cls always registers a global interceptor: a plain object that only passes the call on
 * unless its interceptor is mounted (the context comes from its middleware here). One global
 * interceptor is enough to send every route through rxjs and two AsyncResource.bind calls, about
 * 5 % of an introspection's CPU, so such pass-throughs are dropped before the routes are built.
 * Real interceptors are class instances and stay. Returns how many were dropped.
 */
export function dropPassThroughInterceptors(app: INestApplication): number {
  // Nest keeps global interceptors in the application config and offers no way to remove one.
  const config = (app as unknown as { config?: { getGlobalInterceptors?: () => NestInterceptor[] } }).config;
  const interceptors = config?.getGlobalInterceptors?.();
  if (!Array.isArray(interceptors)) return 0;
  const before = interceptors.length;
  for (let i = interceptors.length - 1; i >= 0; i--) if (Object.getPrototypeOf(interceptors[i]) === Object.prototype) interceptors.splice(i, 1);
  return before - interceptors.length;
}
