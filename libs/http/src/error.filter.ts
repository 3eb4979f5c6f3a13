import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RequestContext } from '@credence/context';
import { DomainError, ErrorCode, toEnvelope } from '@credence/errors';
import type { ErrorRenderer } from './form-body';

/** Fastify's own error codes for bodies it refuses before Nest sees them. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'request.too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'request.unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'request.malformed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request.malformed',
  FST_ERR_CTP_INVALID_JSON_BODY: 'request.malformed',
};

/** Failures that mean Postgres or Redis is out of reach: the request may succeed later, so 503, not 500. */
// 57014: a statement Postgres cancelled, at the unit's statement timeout (TenantTransactionRunner) or an operator's request.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '57014', '53300', '3D000', '08006', '08001', '08003']);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Command timed out|Stream isn't writeable|Connection is closed|MaxRetriesPerRequestError/i;

export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; driverError?: unknown; name?: string };
  if (!e || typeof e !== 'object') return false;
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
  return e.driverError ? isUnavailable(e.driverError) : false;
}

export function toDomainError(err: unknown): DomainError | undefined {
  if (err instanceof DomainError) return err;
  if (isUnavailable(err)) return new DomainError('service.unavailable');
  const code = (err as { code?: string })?.code;
  if (code && FASTIFY_CODES[code]) return new DomainError(FASTIFY_CODES[code]);
  if (err instanceof SyntaxError && (err as { statusCode?: number }).statusCode === 400) return new DomainError('request.malformed');
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status === 404) return new DomainError('route.not_found');
    if (status === 413) return new DomainError('request.too_large');
    if (status === 415) return new DomainError('request.unsupported_media_type');
    if (status === 400) return new DomainError('request.malformed');
  }
  const status = (err as { statusCode?: number })?.statusCode;
  if (status === 413) return new DomainError('request.too_large');
  if (status === 415) return new DomainError('request.unsupported_media_type');
  if (status === 400) return new DomainError('request.malformed');
  return undefined;
}

/** What failed, for the log: the underlying error's message when the exception wraps one. */
function causeOf(exception: unknown): string {
  const inner = (exception as { cause?: unknown })?.cause ?? exception;
  return inner instanceof Error ? inner.message : String(inner);
}

/** Every HTTP error leaves in the one envelope: {"error": {code, message, trace_id}}. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  constructor(private readonly context: RequestContext) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<{ id?: string; routeOptions?: { config?: { renderErrors?: ErrorRenderer } } }>();
    const traceId = this.context.active && this.context.traceId !== 'none' ? this.context.traceId : (request.id ?? 'none');
    let error = toDomainError(exception);
    if (!error) {
      this.logger.error({ err: exception, trace_id: traceId }, 'unhandled error');
      error = new DomainError('internal');
    } else if (error.status === 503) {
      // A backing service or directory out of reach: expected in operations, and retried by the
      // caller. A warning that says what failed; a stack would only repeat where it was noticed.
      this.logger.warn({ trace_id: traceId, code: error.code, cause: causeOf(exception) }, error.message);
    } else if (error.status >= 500) {
      this.logger.error({ err: exception, trace_id: traceId, code: error.code }, error.message);
    }
    const render = request.routeOptions?.config?.renderErrors;
    if (typeof render === 'function') {
      const rendered = render(error);
      for (const [name, value] of Object.entries(rendered.headers)) reply.header(name, value);
      if (!Object.keys(rendered.headers).some((h) => h.toLowerCase() === 'content-type')) reply.header('content-type', 'application/json; charset=utf-8');
      reply.status(rendered.status).send(rendered.body);
      return;
    }
    for (const [name, value] of Object.entries(error.headers ?? {})) reply.header(name, value);
    reply.status(error.status).header('content-type', 'application/json; charset=utf-8').send(toEnvelope(error, traceId));
  }
}
