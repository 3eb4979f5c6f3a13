import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toDomainError } from '@credence/http';
import { errorPage } from './error-page';
import { sendHtml } from './security-headers';

const SLUG = /^[a-z][a-z0-9-]{1,62}$/;

/**
 * Errors of the pages a browser visits (authorize, login, logout) as an HTML page with the error's
 * status, never JSON and never a redirect: a request that reached this filter has no redirect_uri
 * Credence trusts. The message is the error code's generic one.
 */
@Catch()
export class HtmlErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HtmlError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest<{ Params: { tenant?: string } }>>();
    const error = toDomainError(exception);
    if (!error || error.status >= 500) this.logger.error({ err: exception, trace_id: request.id }, 'page failed');
    const slug = request.params?.tenant && SLUG.test(request.params.tenant) ? request.params.tenant : 'unknown';
    const status = error?.status ?? 500;
    const message = error?.message ?? 'Something went wrong on our side. Please try again.';
    for (const [name, value] of Object.entries(error?.headers ?? {})) if (name.toLowerCase() === 'retry-after') reply.header(name, value);
    sendHtml(reply, status, errorPage({ tenantSlug: slug, tenantName: 'Sign in' }, message, error?.code ?? 'internal'));
  }
}
