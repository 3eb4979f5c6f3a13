import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { toDomainError } from '@credence/http';
import { errorPage } from './error-page';
import type { PageFrame } from './layout';
import { PageError } from './page-error';
import { sendHtml } from './security-headers';
import { TenantBranding } from './tenant-branding';

type Frame = Omit<PageFrame, 'title'>;

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62})$/;

/** The frame of a page whose tenant could not be resolved (unknown, suspended, or the registry out of reach). */
export function plainFrame(slug: unknown): Frame {
  return { tenantSlug: typeof slug === 'string' && SLUG.test(slug) ? slug : 'unknown', tenantName: 'Sign in' };
}

/** What a browser is told for each error: the error's own message, except where the page says it better. */
function pageMessage(error: DomainError): string {
  if (error.code === 'tenant.not_found' || error.code === 'route.not_found') return 'This sign-in page does not exist.';
  if (error.code === 'tenant.suspended') return 'Signing in is not possible at the moment.';
  if (error.code === 'service.unavailable') return 'Signing in is not possible at the moment. Try again in a few minutes.';
  if (error.code === 'auth.rate_limited') return 'Too many attempts. Wait a few minutes, then try again.';
  if (error.code === 'request.unsupported_media_type') return 'Send the form as application/x-www-form-urlencoded.';
  return error.message;
}

/**
 * Errors of the pages a browser visits (authorize, the hosted login page, logout) as HTML pages, never the JSON envelope: guards (unknown or
 * suspended tenant, Redis or Postgres down), unreadable forms, CSRF mismatches, expired interactions.
 * A browser showing a sign-in page must get a page back, with the same security headers.
 */
@Catch()
export class HtmlErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HostedPage');

  constructor(
    private readonly branding: TenantBranding,
    private readonly context: RequestContext,
  ) {}

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest<{ Params: { tenant?: string } }>>();
    const { status, message, code, headers } = this.describe(exception);
    const frame = await this.frame(request.params?.tenant);
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    sendHtml(reply, status, errorPage(frame, message, code));
  }

  private describe(exception: unknown): { status: number; message: string; code?: string; headers: Record<string, string> } {
    if (exception instanceof PageError) return { status: exception.status, message: exception.message, headers: {} };
    const error = toDomainError(exception);
    if (!error || error.status >= 500) this.logger.error({ err: exception, code: error?.code }, 'hosted login page failed');
    if (!error) return { status: 500, message: 'Something went wrong on our side.', code: 'internal', headers: {} };
    return { status: error.status, message: pageMessage(error), code: error.code, headers: error.headers ?? {} };
  }

  private async frame(slug: unknown): Promise<Frame> {
    if (!this.context.active || !this.context.tenant) return plainFrame(slug);
    try {
      return await this.branding.frame();
    } catch {
      return plainFrame(slug);
    }
  }
}
