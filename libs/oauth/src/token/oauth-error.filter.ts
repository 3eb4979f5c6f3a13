import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from '@credence/errors';
import { toDomainError } from '@credence/http';
import { OAuthError, toOAuthError } from './oauth-error';

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

function render(error: OAuthError) {
  return { status: error.status, headers: { ...error.headers, ...NO_STORE }, body: { error: error.error, error_description: error.description } };
}

/**
 * For errors raised before the route runs (body parsing, input guards), which only the global filter
 * sees: the routes pass this to `AcceptsForm({ renderErrors })` / `RendersErrors`.
 */
export const renderOAuthError = (error: DomainError) => render(toOAuthError(error));

/**
 * The error body of the OAuth JSON endpoints (token, userinfo): RFC 6749 §5.2 `{error, error_description}`
 * with `Cache-Control: no-store`, instead of the Credence envelope that OAuth clients do not read.
 */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('OAuthError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const rendered = render(this.toOAuth(exception));
    for (const [name, value] of Object.entries(rendered.headers)) reply.header(name, value);
    reply.status(rendered.status).header('content-type', 'application/json; charset=utf-8').send(rendered.body);
  }

  private toOAuth(exception: unknown): OAuthError {
    if (exception instanceof OAuthError) return exception;
    const domain = toDomainError(exception);
    if (!domain || domain.status >= 500) this.logger.error({ err: exception, code: domain?.code }, 'OAuth endpoint failed');
    return toOAuthError(domain ?? new DomainError('internal'));
  }
}
