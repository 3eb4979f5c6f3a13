import { Body, Controller, Get, Header, Inject, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiParam, ApiProduces, ApiQuery, ApiSeeOtherResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@credence/access';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { clientInfo, OtpRequest, OtpVerify, PasswordLogin } from '@credence/identity';
import { TenantRouteGuard } from '@credence/tenancy';
import { BINDING_COOKIE, readCookie, SESSION_COOKIE, setCookie } from '../browser/cookies';
import { directoryUsername, LoginConnection } from '../federation/federated-login';
import type { Interaction } from '../interactions/interaction';
import { CompleteInteraction } from '../interactions/complete-interaction/complete-interaction';
import { sendHtml } from '../pages/security-headers';
import { TenantBranding } from '../pages/tenant-branding';
import { HostedLogin } from './hosted-login';
import { HostedPage, HostedPageForm } from '../pages/hosted-page-route';
import { HtmlErrorFilter } from '../pages/html-error.filter';
import { LOGIN_CSS, themeCss } from './login-assets';
import { normalisedEmail, readForm } from './login-form';
import { codePage, CodeView, directoryPage, FormKeys, signInPage, SignInView } from './login-views';

/** One message for every refused password sign-in: unknown account, wrong password, disabled account. */
export const WRONG_PASSWORD = 'The e-mail or password is not correct.';
/** One message for every refused code: wrong, expired, used up, or an account that may not sign in. */
export const WRONG_CODE = 'The code is not correct or has expired. Check it, or ask for a new one.';
/** Lockout and rate limits alike (both also hit identifiers without an account, so it reveals nothing). */
export const TOO_MANY = 'Too many attempts. Wait a few minutes, then try again.';
export const NOT_AN_EMAIL = 'Enter your e-mail address.';

const REFUSED_PASSWORD = new Set(['auth.invalid_credentials', 'auth.account.disabled']);
const REFUSED_CODE = new Set(['auth.otp.invalid', 'auth.otp.expired', 'auth.account.disabled']);
const SLOWED = new Set(['auth.account.locked', 'auth.rate_limited']);

type Form = Record<string, unknown>;

/**
 * The hosted login page (docs/oidc.md#hosted-login-page): HTML only, for the browser that started the
 * interaction. Every POST checks the interaction's CSRF token before anything else happens.
 */
@ApiTags('hosted login page')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@ApiProduces('text/html')
@Controller('v1/t/:tenant/login')
@Public('the hosted login page: the interaction, its binding cookie and CSRF token guard it')
@UseFilters(HtmlErrorFilter)
export class LoginPageController {
  constructor(
    private readonly hosted: HostedLogin,
    private readonly branding: TenantBranding,
    private readonly complete: CompleteInteraction,
    private readonly passwordLogin: PasswordLogin,
    private readonly otpRequest: OtpRequest,
    private readonly otpVerify: OtpVerify,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @HostedPage()
  @ApiQuery({ name: 'interaction', description: 'The interaction /oauth2/authorize created; only the browser holding its binding cookie may open it.' })
  @ApiOkResponse({ description: 'The sign-in page (HTML). Errors are HTML pages too.' })
  @UseGuards(TenantRouteGuard)
  async page(@Param('tenant') _t: string, @Query('interaction') id: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const interaction = await this.hosted.open(typeof id === 'string' ? id : undefined, readCookie(req.headers, BINDING_COOKIE));
    return this.signIn(reply, 200, interaction, { email: interaction.loginHint });
  }

  /** Password sign-in, after home-realm discovery: an e-mail of a federated domain goes to its IdP unchecked. */
  @Post('password')
  @HostedPageForm()
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiSeeOtherResponse({ description: 'Signed in (to the redirect_uri) or sent to an IdP; otherwise an HTML page.' })
  @UseGuards(TenantRouteGuard)
  async password(@Param('tenant') _t: string, @Body() body: Form, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const form = readForm(req.headers['content-type'], body, ['interaction', 'csrf', 'email', 'password']);
    const binding = readCookie(req.headers, BINDING_COOKIE);
    const interaction = await this.hosted.openForm(form, binding);
    const email = form.email.trim();
    // Home-realm discovery first: an address of a federated domain goes to its IdP with no password typed.
    const realm = email ? await this.hosted.homeRealm(interaction, email) : undefined;
    if (realm) return this.toIdp(reply, interaction, realm, email);
    if (!email || !form.password) return this.signIn(reply, 200, interaction, { email, error: WRONG_PASSWORD });
    const client = clientInfo(req);
    let userId: string;
    try {
      userId = (await this.passwordLogin.authenticate(email, form.password, client)).id;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (REFUSED_PASSWORD.has(err.code)) return this.signIn(reply, 200, interaction, { email, error: WRONG_PASSWORD });
      if (SLOWED.has(err.code)) return this.signIn(this.retryAfter(reply, err), 429, interaction, { email, error: TOO_MANY });
      throw err;
    }
    const done = await this.complete.execute(interaction.id, binding, { userId, method: 'local' }, client);
    return this.finish(reply, done);
  }

  /** "E-mail me a code": the same answer whether or not the address has an account. */
  @Post('code')
  @HostedPageForm()
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiSeeOtherResponse({ description: 'Signed in (to the redirect_uri) or sent to an IdP; otherwise an HTML page.' })
  @UseGuards(TenantRouteGuard)
  async requestCode(@Param('tenant') _t: string, @Body() body: Form, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const form = readForm(req.headers['content-type'], body, ['interaction', 'csrf', 'email']);
    const interaction = await this.hosted.openForm(form, readCookie(req.headers, BINDING_COOKIE));
    const email = normalisedEmail(form.email);
    if (!email) return this.signIn(reply, 200, interaction, { email: form.email.trim(), error: NOT_AN_EMAIL });
    const realm = await this.hosted.homeRealm(interaction, email);
    if (realm) return this.toIdp(reply, interaction, realm, email);
    try {
      await this.otpRequest.request({ channel: 'email', value: email }, clientInfo(req));
    } catch (err) {
      if (err instanceof DomainError && SLOWED.has(err.code)) return this.code(this.retryAfter(reply, err), 429, interaction, { email, error: TOO_MANY });
      throw err;
    }
    return this.code(reply, 200, interaction, { email });
  }

  /** The code signs in at most once: it is spent in the transaction that starts the browser session. */
  @Post('code/verify')
  @HostedPageForm()
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiSeeOtherResponse({ description: 'Signed in (to the redirect_uri) or sent to an IdP; otherwise an HTML page.' })
  @UseGuards(TenantRouteGuard)
  async verifyCode(@Param('tenant') _t: string, @Body() body: Form, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const form = readForm(req.headers['content-type'], body, ['interaction', 'csrf', 'email', 'code']);
    const binding = readCookie(req.headers, BINDING_COOKIE);
    const interaction = await this.hosted.openForm(form, binding);
    const email = normalisedEmail(form.email);
    if (!email) return this.signIn(reply, 200, interaction, { email: form.email.trim(), error: NOT_AN_EMAIL });
    const code = form.code.trim();
    if (!/^[0-9]{6}$/.test(code)) return this.code(reply, 200, interaction, { email, error: WRONG_CODE });
    const client = clientInfo(req);
    let proof: Awaited<ReturnType<OtpVerify['authenticate']>>;
    try {
      proof = await this.otpVerify.authenticate({ channel: 'email', value: email }, code, client);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (REFUSED_CODE.has(err.code)) return this.code(reply, 200, interaction, { email, error: WRONG_CODE });
      if (SLOWED.has(err.code)) return this.code(this.retryAfter(reply, err), 429, interaction, { email, error: TOO_MANY });
      throw err;
    }
    const done = await this.complete.execute(interaction.id, binding, { userId: proof.user.id, method: 'otp' }, client, proof.spend);
    return this.finish(reply, done);
  }

  /** A connection's button: only a connection the app may use. */
  @Post('connection')
  @HostedPageForm()
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiSeeOtherResponse({ description: 'Signed in (to the redirect_uri) or sent to an IdP; otherwise an HTML page.' })
  @UseGuards(TenantRouteGuard)
  async connection(@Param('tenant') _t: string, @Body() body: Form, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const form = readForm(req.headers['content-type'], body, ['interaction', 'csrf', 'connection']);
    const interaction = await this.hosted.openForm(form, readCookie(req.headers, BINDING_COOKIE));
    const chosen = (await this.hosted.connections(interaction)).find((c) => c.id === form.connection);
    if (!chosen) throw new DomainError('validation.failed', 'This way of signing in is not available for this application.');
    return this.toIdp(reply, interaction, chosen);
  }

  /** Static: served without resolving the tenant, so even a suspended tenant's error page is styled. */
  @Get('assets/login.css')
  @HostedPage()
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'public, max-age=86400, immutable')
  @Header('x-content-type-options', 'nosniff')
  css(@Param('tenant') _t: string): string {
    return LOGIN_CSS;
  }

  @Get('assets/theme.css')
  @HostedPage()
  @UseGuards(TenantRouteGuard)
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'public, max-age=300')
  @Header('x-content-type-options', 'nosniff')
  async theme(@Param('tenant') _t: string): Promise<string> {
    return themeCss((await this.branding.frame()).brandColor);
  }

  private async signIn(reply: FastifyReply, status: number, interaction: Interaction, view: Pick<SignInView, 'email' | 'error'>): Promise<FastifyReply> {
    const [frame, connections] = await Promise.all([this.branding.frame(), this.hosted.connections(interaction)]);
    return sendHtml(reply, status, signInPage({ ...view, frame, keys: keysOf(interaction), connections }));
  }

  private async code(reply: FastifyReply, status: number, interaction: Interaction, view: Pick<CodeView, 'email' | 'error'>): Promise<FastifyReply> {
    const frame = await this.branding.frame();
    return sendHtml(reply, status, codePage({ ...view, frame, keys: keysOf(interaction) }));
  }

  /** To the IdP; a directory (LDAP) connection asks for its own password here instead (what was typed so far is dropped). */
  private async toIdp(reply: FastifyReply, interaction: Interaction, connection: LoginConnection, email?: string): Promise<FastifyReply> {
    if (connection.type !== 'ldap') return seeOther(reply, await this.hosted.start(interaction, connection));
    const page = directoryPage({ frame: await this.branding.frame(), keys: keysOf(interaction), connection, username: directoryUsername(connection, email) });
    return sendHtml(reply, 200, page);
  }

  private finish(reply: FastifyReply, done: { redirectTo: string; sessionCookie?: { value: string; maxAgeSeconds: number } }): FastifyReply {
    if (done.sessionCookie) {
      const scope = { tenantSlug: this.context.requireTenant().slug, secure: this.config.NODE_ENV !== 'development' };
      reply.header('set-cookie', setCookie(scope, SESSION_COOKIE, done.sessionCookie.value, done.sessionCookie.maxAgeSeconds));
    }
    return seeOther(reply, done.redirectTo);
  }

  private retryAfter(reply: FastifyReply, err: DomainError): FastifyReply {
    const after = err.headers?.['Retry-After'];
    return after ? reply.header('retry-after', after) : reply;
  }
}

const keysOf = (interaction: Interaction): FormKeys => ({ interactionId: interaction.id, csrf: interaction.csrf });

/** After a form post: 303, so the browser follows with a GET (RFC 9110 §15.4.4). */
function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.status(303).header('location', location).header('cache-control', 'no-store').send();
}
