import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DomainError } from '@credence/errors';

/** HTML forms and OAuth requests are small: a handful of short fields. */
export const FORM_BODY_LIMIT_BYTES = 16_384;
/** The largest form any route may take (`formBodyLimit` in its route config): a SAML Response posted to an ACS. */
export const LARGE_FORM_BODY_LIMIT_BYTES = 262_144;

const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * Marks a route that takes `application/x-www-form-urlencoded` bodies (the OAuth token endpoint,
 * the hosted login page's forms). Every other route keeps answering 415 to a form, so an HTML form
 * on another site can never post to the JSON API.
 */
export const AcceptsForm = (options: { renderErrors?: ErrorRenderer } = {}) => RouteConfig({ acceptsForm: true, ...options });

/** How a route that does not speak the Credence envelope (OAuth, RFC 6749 §5.2) answers an error. */
export type ErrorRenderer = (error: DomainError) => { status: number; headers: Record<string, string>; body: unknown };

/**
 * Gives a route its own error body for every error, including those Fastify raises before Nest runs the
 * route (body parsing, input guards), which only the global filter sees. Not combinable with a second
 * RouteConfig on the same route: use `AcceptsForm({ renderErrors })` for a form route.
 */
export const RendersErrors = (renderErrors: ErrorRenderer) => RouteConfig({ renderErrors });

function refusal(message: string, statusCode: number, code: string): Error {
  return Object.assign(new Error(message), { statusCode, code });
}

/**
 * Parses form bodies for routes marked with `@AcceptsForm()` into a plain record of strings. A
 * parameter sent twice is refused (RFC 6749 §3.1: "MUST NOT be included more than once").
 */
export function installFormParser(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(FORM_TYPE, { parseAs: 'string', bodyLimit: LARGE_FORM_BODY_LIMIT_BYTES }, (request: FastifyRequest, body: string | Buffer, done) => {
    const config = request.routeOptions?.config as { acceptsForm?: boolean; formBodyLimit?: number } | undefined;
    if (config?.acceptsForm !== true) {
      done(refusal('Unsupported media type', 415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE'), undefined);
      return;
    }
    if (Buffer.byteLength(body) > Math.min(config.formBodyLimit ?? FORM_BODY_LIMIT_BYTES, LARGE_FORM_BODY_LIMIT_BYTES)) {
      done(refusal('Request body is too large', 413, 'FST_ERR_CTP_BODY_TOO_LARGE'), undefined);
      return;
    }
    const fields: Record<string, string> = Object.create(null);
    for (const [name, value] of new URLSearchParams(body.toString())) {
      if (name in fields) {
        done(refusal(`Parameter ${name} is repeated`, 400, 'FST_ERR_CTP_INVALID_JSON_BODY'), undefined);
        return;
      }
      fields[name] = value;
    }
    done(null, fields);
  });
}
