import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

const FORM = 'application/x-www-form-urlencoded';

/** The only routes that take form bodies, as RFC 7662 and RFC 7009 require; every other route stays JSON-only. */
export const FORM_ROUTES = new Set(['/v1/t/:tenant/auth/introspect', '/v1/t/:tenant/auth/revoke']);

/** A repeated parameter becomes an array, which validation refuses (the RFCs forbid repeats). */
export function parseForm(body: string): Record<string, string | string[]> {
  const fields = new Map<string, string | string[]>();
  for (const [name, value] of new URLSearchParams(body)) {
    const seen = fields.get(name);
    fields.set(name, seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value]);
  }
  return Object.fromEntries(fields); // own data properties, even for a key named __proto__
}

function unsupportedMediaType(): Error {
  return Object.assign(new Error('form bodies are accepted only by introspection and revocation'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 });
}

/**
 * Registers a form-urlencoded parser on the Fastify instance that refuses (415) every route but
 * the two OAuth endpoints. Fastify has no per-route parsers, but it knows the matched route while parsing.
 */
@Injectable()
export class OAuthFormBodies implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify || typeof fastify.addContentTypeParser !== 'function' || fastify.hasContentTypeParser(FORM)) return;
    fastify.addContentTypeParser(FORM, { parseAs: 'string' }, (request, body, done) => {
      if (!FORM_ROUTES.has(request.routeOptions.url ?? '')) return done(unsupportedMediaType(), undefined);
      done(null, parseForm(body as string));
    });
  }
}
