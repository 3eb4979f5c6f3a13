import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiParam, ApiProduces, ApiQuery, ApiSeeOtherResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@credence/access';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { clientInfo, DirectoryLogin } from '@credence/identity';
import { TenantRouteGuard } from '@credence/tenancy';
import { BINDING_COOKIE, readCookie, SESSION_COOKIE, setCookie } from '../browser/cookies';
import { directoryUsername, type LoginConnection } from '../federation/federated-login';
import type { Interaction } from '../interactions/interaction';
import { CompleteInteraction } from '../interactions/complete-interaction/complete-interaction';
import { HostedPage, HostedPageForm } from '../pages/hosted-page-route';
import { HtmlErrorFilter } from '../pages/html-error.filter';
import { sendHtml } from '../pages/security-headers';
import { TenantBranding } from '../pages/tenant-branding';
import { HostedLogin } from './hosted-login';
import { readForm } from './login-form';
import { TOO_MANY } from './login-page.controller';
import { directoryPage, DirectoryView } from './login-views';

/** One message for unknown user, wrong password and disabled account, as the directory's answer cannot tell them apart either. */
export const WRONG_DIRECTORY_PASSWORD = 'The username or password is not correct.';
export const DIRECTORY_DOWN = 'The directory cannot be reached right now. Try again in a minute.';
const SLOWED = new Set(['auth.account.locked', 'auth.rate_limited']);

type Form = Record<string, unknown>;

/**
 * The hosted page's directory (LDAP) sign-in: the form a directory connection's button, home-realm
 * discovery or `connection=` leads to, and its post. The password is handed to DirectoryLogin (the
 * rate limit, the lockout, then the directory's bind) and to nothing else; success finishes the
 * interaction like every other sign-in.
 */
@ApiTags('hosted login page')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@ApiProduces('text/html')
@Controller('v1/t/:tenant/login/ldap')
@Public('the hosted login page: the interaction, its binding cookie and CSRF token guard it')
@UseFilters(HtmlErrorFilter)
export class DirectoryLoginPageController {
  constructor(
    private readonly hosted: HostedLogin,
    private readonly branding: TenantBranding,
    private readonly complete: CompleteInteraction,
    private readonly directoryLogin: DirectoryLogin,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @HostedPage()
  @ApiQuery({ name: 'interaction' })
  @ApiQuery({ name: 'connection', description: 'A directory (LDAP) connection the application may use.' })
  @ApiOkResponse({ description: "The directory's sign-in form (HTML)." })
  @UseGuards(TenantRouteGuard)
  async page(
    @Param('tenant') _t: string,
    @Query('interaction') id: unknown,
    @Query('connection') connectionId: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const interaction = await this.hosted.open(typeof id === 'string' ? id : undefined, readCookie(req.headers, BINDING_COOKIE));
    const connection = await this.directory(interaction, connectionId);
    return this.form(reply, 200, interaction, { connection, username: directoryUsername(connection, interaction.loginHint) });
  }

  @Post()
  @HostedPageForm()
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiSeeOtherResponse({ description: 'Signed in: to the redirect_uri with a code. Otherwise the form again (401-like answers are 200 pages; 429, 503).' })
  @UseGuards(TenantRouteGuard)
  async signIn(@Param('tenant') _t: string, @Body() body: Form, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const form = readForm(req.headers['content-type'], body, ['interaction', 'csrf', 'connection', 'username', 'password']);
    const binding = readCookie(req.headers, BINDING_COOKIE);
    const interaction = await this.hosted.openForm(form, binding);
    const connection = await this.directory(interaction, form.connection);
    const username = form.username.trim();
    const view = { connection, username };
    if (!username || !form.password) return this.form(reply, 200, interaction, { ...view, error: WRONG_DIRECTORY_PASSWORD });
    const client = clientInfo(req);
    let userId: string;
    try {
      userId = await this.directoryLogin.authenticate(connection.id, username, form.password, client);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (err.code === 'auth.invalid_credentials') return this.form(reply, 200, interaction, { ...view, error: WRONG_DIRECTORY_PASSWORD });
      if (err.code === 'federation.ldap_unavailable') return this.form(reply, 503, interaction, { ...view, error: DIRECTORY_DOWN });
      if (SLOWED.has(err.code)) {
        const after = err.headers?.['Retry-After'];
        return this.form(after ? reply.header('retry-after', after) : reply, 429, interaction, { ...view, error: TOO_MANY });
      }
      throw err;
    }
    const done = await this.complete.execute(interaction.id, binding, { userId, method: 'ldap', idp: connection.id }, client);
    if (done.sessionCookie) {
      const scope = { tenantSlug: this.context.requireTenant().slug, secure: this.config.NODE_ENV !== 'development' };
      reply.header('set-cookie', setCookie(scope, SESSION_COOKIE, done.sessionCookie.value, done.sessionCookie.maxAgeSeconds));
    }
    return reply.status(303).header('location', done.redirectTo).header('cache-control', 'no-store').send();
  }

  /** The directory connection named, when it is one the interaction's app may use. */
  private async directory(interaction: Interaction, connectionId: unknown): Promise<LoginConnection> {
    const found = (await this.hosted.connections(interaction)).find((c) => c.id === connectionId && c.type === 'ldap');
    if (!found) throw new DomainError('validation.failed', 'This way of signing in is not available for this application.');
    return found;
  }

  private async form(reply: FastifyReply, status: number, interaction: Interaction, view: Pick<DirectoryView, 'connection' | 'username' | 'error'>): Promise<FastifyReply> {
    const frame = await this.branding.frame();
    return sendHtml(reply, status, directoryPage({ ...view, frame, keys: { interactionId: interaction.id, csrf: interaction.csrf } }));
  }
}
