import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';

/** No route may take a JSON body larger than this, whatever its `jsonBodyLimit` says. */
export const MAX_ROUTE_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * Gives one route a JSON body limit of its own (the directory sync batch route takes thousands of
 * users); every other route keeps HTTP_BODY_LIMIT_BYTES. Not combinable with a second RouteConfig.
 */
export const LargeJsonBody = (bytes: number) => RouteConfig({ jsonBodyLimit: bytes });

/** Applies `@LargeJsonBody` as Fastify's per-route `bodyLimit`; must run before the routes are registered. */
export function installRouteBodyLimits(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    const limit = (route.config as { jsonBodyLimit?: unknown } | undefined)?.jsonBodyLimit;
    if (typeof limit === 'number' && limit > 0) route.bodyLimit = Math.min(limit, MAX_ROUTE_BODY_LIMIT_BYTES);
  });
}
