import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiParam, ApiProduces, ApiSeeOtherResponse, ApiTags } from '@nestjs/swagger';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@credence/access';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { clientInfo } from '@credence/identity';
import { BINDING_COOKIE, HostedPage, html, HtmlErrorFilter, layout, PageError, readCookie, sendHtml, SESSION_COOKIE, setCookie, TenantBranding } from '@credence/oauth';
import { TenantRouteGuard } from '@credence/tenancy';
import { SAML_MESSAGE_LIMIT_BYTES } from './redirect-binding';
import { SamlAcs } from './saml-acs';
import { SamlContinue } from './saml-continue';
import { LogoutOutcome, SamlLogout } from './saml-logout';
import { samlSpUrls } from './saml-urls';
import { SamlRefusal } from './saml-xml';
import { spMetadata } from './sp-metadata';

const seeOther = (reply: FastifyReply, location: string) => reply.status(303).header('location', location).header('cache-control', 'no-store').send();

/**
 * The SAML service provider of a connection (docs/federation.md, "SAML sign-in"): metadata, ACS, the same-site
 * continue step, and single logout. Pages only: every error is an HTML page.
 */
@ApiTags('SAML service provider')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@ApiParam({ name: 'id', description: 'Connection id' })
@Controller('v1/t/:tenant/connections/:id/saml')
@Public('SAML endpoints: the IdP signature, the AuthnRequest id and the browser binding cookie guard them')
@UseFilters(HtmlErrorFilter)
export class SamlController {
  constructor(
    private readonly acs: SamlAcs,
    private readonly proceed: SamlContinue,
    private readonly logout: SamlLogout,
    private readonly branding: TenantBranding,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('metadata')
  @HostedPage()
  @ApiProduces('application/samlmetadata+xml')
  @ApiOkResponse({ description: 'The SP metadata (entity id = this URL).' })
  @UseGuards(TenantRouteGuard)
  async metadata(@Param('tenant') _t: string, @Param('id') id: string, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const connection = await this.acs.connection(id);
    const xml = spMetadata(samlSpUrls(this.config.CREDENCE_BASE_URL, this.context.requireTenant().slug, connection.id), connection.saml!);
    return reply.status(200).header('content-type', 'application/samlmetadata+xml; charset=utf-8').header('x-content-type-options', 'nosniff').send(xml);
  }

  @Post('acs')
  @RouteConfig({ hostedPage: true, acceptsForm: true, formBodyLimit: SAML_MESSAGE_LIMIT_BYTES })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiSeeOtherResponse({ description: 'Verified: to the continue step (same-site). Refused: an HTML page and federation.login.failed.' })
  @UseGuards(TenantRouteGuard)
  async assertionConsumer(
    @Param('tenant') _t: string,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const connection = await this.acs.connection(id);
    const form = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const token = await this.acs.accept(connection, form.SAMLResponse, clientInfo(req));
    const urls = samlSpUrls(this.config.CREDENCE_BASE_URL, this.context.requireTenant().slug, connection.id);
    return seeOther(reply, `${urls.continue}?token=${token}`);
  }

  @Get('continue')
  @HostedPage()
  @ApiSeeOtherResponse({
    description:
      "To the application with a code (a browser session starts); IdP-initiated: to the app's initiate_login_uri with iss (a browser session starts); or an HTML page.",
  })
  @UseGuards(TenantRouteGuard)
  async continue(
    @Param('tenant') _t: string,
    @Param('id') id: string,
    @Query('token') token: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    // The connection and the held sign-in are read in the same tick: one Redis write for both.
    const [connection, held] = await Promise.all([this.acs.connection(id), this.proceed.take(token)]);
    const done = await this.proceed.execute(connection, held, readCookie(req.headers, BINDING_COOKIE), clientInfo(req));
    if (done.sessionCookie) {
      const scope = { tenantSlug: this.context.requireTenant().slug, secure: this.config.NODE_ENV !== 'development' };
      reply.header('set-cookie', setCookie(scope, SESSION_COOKIE, done.sessionCookie.value, done.sessionCookie.maxAgeSeconds));
    }
    return seeOther(reply, done.redirectTo);
  }

  @Get('slo')
  @HostedPage()
  @ApiSeeOtherResponse({
    description:
      'An IdP LogoutRequest: the signed LogoutResponse to the IdP (Redirect binding), or a page. The IdP LogoutResponse to ours: where the logout started asked, or the signed-out page.',
  })
  @UseGuards(TenantRouteGuard)
  async singleLogout(@Param('tenant') _t: string, @Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const connection = await this.acs.connection(id);
    const url = req.raw.url ?? '';
    const rawQuery = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    return this.logoutAnswer(reply, () => this.logout.fromRedirect(connection, rawQuery));
  }

  @Post('slo')
  @RouteConfig({ hostedPage: true, acceptsForm: true, formBodyLimit: SAML_MESSAGE_LIMIT_BYTES })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiSeeOtherResponse({ description: 'The same on the HTTP-POST binding: SAMLRequest or SAMLResponse signed inside the XML, and RelayState.' })
  @UseGuards(TenantRouteGuard)
  async singleLogoutPost(@Param('tenant') _t: string, @Param('id') id: string, @Body() body: unknown, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const connection = await this.acs.connection(id);
    const form = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    return this.logoutAnswer(reply, () => this.logout.fromPost(connection, form));
  }

  private async logoutAnswer(reply: FastifyReply, run: () => Promise<LogoutOutcome>): Promise<FastifyReply> {
    let outcome: LogoutOutcome;
    try {
      outcome = await run();
    } catch (err) {
      if (err instanceof SamlRefusal) throw new PageError(err.reason === 'too_large' ? 413 : 400, 'This logout request could not be accepted.');
      throw err;
    }
    if (outcome.redirectTo) return seeOther(reply, outcome.redirectTo);
    const frame = await this.branding.frame();
    return sendHtml(reply, 200, layout({ ...frame, title: 'You are signed out' }, html`<p>You can close this window.</p>`));
  }
}
