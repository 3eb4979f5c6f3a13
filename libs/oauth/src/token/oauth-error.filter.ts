import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from '@credence/errors';
import { toDomainError } from '@credence/http';
import { OAuthError, toOAuthError } from './oauth-error';

/**
 * The error body of the OAuth JSON endpoints (token, userinfo): RFC 6749 §5.2 `{error, error_description}`
 * with `Cache-Control: no-store`, instead of the Credence envelope that OAuth clients do not read.
 */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('OAuthError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const error = this.toOAuth(exception);
    for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
    reply
      .status(error.status)
      .header('Cache-Control', 'no-store')
      .header('Pragma', 'no-cache')
      .header('content-type', 'application/json; charset=utf-8')
      .send({ error: error.error, error_description: error.description });
  }

  private toOAuth(exception: unknown): OAuthError {
    if (exception instanceof OAuthError) return exception;
    const domain = toDomainError(exception);
    if (!domain || domain.status >= 500) this.logger.error({ err: exception, code: domain?.code }, 'OAuth endpoint failed');
    return toOAuthError(domain ?? new DomainError('internal'));
  }
}
