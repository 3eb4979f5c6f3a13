import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, toEnvelope } from '@credence/errors';

/** The Fastify errors raised while routing, before any hook or Nest runs. */
function domainErrorOf(code: string): DomainError {
  if (code === 'FST_ERR_BAD_URL') return new DomainError('request.malformed', 'The URL is not valid: a percent-encoded sequence does not decode.');
  // No resource id is that long (find-my-way's maxParamLength, 100 characters), so no route matches.
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') return new DomainError('route.not_found');
  return new DomainError('internal');
}

/**
 * Fastify answers a URL it cannot route (a malformed percent-encoding, a path segment over 100
 * characters) by itself, in a body of its own and without the onRequest hook. This handler
 * (Fastify's `frameworkErrors` option) sends those answers in the error envelope with an
 * `x-trace-id` header, like every other error.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const domain = domainErrorOf(error.code);
  void reply.status(domain.status).header('x-trace-id', request.id).header('content-type', 'application/json; charset=utf-8').send(toEnvelope(domain, request.id));
}
