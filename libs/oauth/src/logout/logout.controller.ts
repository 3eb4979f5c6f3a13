import { Controller, Get, Inject, Logger, Optional, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@credence/access';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { TenantRouteGuard } from '@credence/tenancy';
import { ApplicationClients } from '../applications/application-clients';
import { BrowserSession, BrowserSessions } from '@credence/identity';
import { AfterLogout, FEDERATED_LOGOUT, FederatedLogout, NO_FEDERATED_LOGOUT } from '../federation/federated-logout';
import { clearCookie, CookieScope, readCookie, SESSION_COOKIE } from '../browser/cookies';
import { Query, single } from '../authorize/authorization-request';
import { html } from '../pages/html';
import { layout } from '../pages/layout';
import { errorPage, SIGN_OUT } from '../pages/error-page';
import { HostedPage, HostedPageForm } from '../pages/hosted-page-route';
import { HtmlErrorFilter } from '../pages/html-error.filter';
import { sendHtml } from '../pages/security-headers';
import { TenantBranding } from '../pages/tenant-branding';
import { IdTokenHints } from './id-token-hint';

/**
 * RP-Initiated Logout 1.0. With a valid id_token_hint the browser session it names (and the one in
 * the cookie, when it is the same user's) ends at once, with every app's tokens issued from it, and
 * the browser goes to post_logout_redirect_uri when the hint's app registered it exactly. Without a
 * hint Credence asks the user to confirm: the confirmation is a POST, which a SameSite=Lax session
 * cookie never accompanies from another site, so no other site can sign a user out. When the ended
 * session came from an IdP that takes single logout (FEDERATED_LOGOUT), the browser goes there next,
 * and comes back to the same place afterwards.
 */
@ApiTags('openid provider')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@ApiProduces('text/html')
@Controller('v1/t/:tenant/oauth2')
@Public()
@UseGuards(TenantRouteGuard)
@UseFilters(HtmlErrorFilter)
export class LogoutController {
  constructor(
    private readonly hints: IdTokenHints,
    private readonly clients: ApplicationClients,
    private readonly browserSessions: BrowserSessions,
    private readonly branding: TenantBranding,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(FEDERATED_LOGOUT) private readonly federation: FederatedLogout = NO_FEDERATED_LOGOUT,
  ) {}

  private readonly logger = new Logger(LogoutController.name);

  @Get('logout')
  @ApiFoundResponse({ description: 'To the registered post_logout_redirect_uri with state, after a valid id_token_hint.' })
  @ApiOkResponse({ description: 'A confirmation page (no hint) or the signed-out page (HTML).' })
  @HostedPage()
  async logout(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const query = (req.query ?? {}) as Query;
    let params: { hint?: string; redirect?: string; state?: string; clientId?: string };
    try {
      params = { hint: single(query, 'id_token_hint'), redirect: single(query, 'post_logout_redirect_uri'), state: single(query, 'state'), clientId: single(query, 'client_id') };
    } catch {
      return this.page(reply, 400, 'The sign-out request repeats a parameter.', 'invalid_request');
    }
    const hint = await this.hints.read(params.hint);
    if (params.hint && !hint) return this.page(reply, 400, 'The application sent a sign-out request Credence cannot verify.', 'invalid_request');
    if (hint && params.clientId && params.clientId !== hint.clientId) return this.page(reply, 400, 'The sign-out request names two different applications.', 'invalid_request');

    let redirectTo: string | undefined;
    if (params.redirect) {
      const app = hint ? await this.clients.find(hint.clientId) : undefined;
      if (!app || !app.postLogoutRedirectUris.includes(params.redirect)) {
        return this.page(reply, 400, 'The application asked to return to an address it has not registered.', 'invalid_request');
      }
      redirectTo = params.redirect;
    }
    if (!hint) return this.confirm(reply);

    const cookie = readCookie(req.headers, SESSION_COOKIE);
    const current = await this.browserSessions.find(cookie);
    const ending = new Set<string>();
    if (hint.sid) ending.add(hint.sid);
    if (current && current.userId === hint.userId) ending.add(current.id);
    for (const id of ending) await this.browserSessions.endForUser(id, hint.userId, 'logout');
    // Another user's hint (anyone can send a link with their own) leaves this browser's session, and its cookie, alone.
    if (cookie && (!current || ending.has(current.id))) reply.header('set-cookie', clearCookie(this.cookieScope(), SESSION_COOKIE));
    const atIdp = current && ending.has(current.id) ? await this.idpLogout(current, { redirectUri: redirectTo, state: params.state }) : undefined;
    if (atIdp) return reply.redirect(atIdp, 302);
    if (redirectTo) {
      const url = new URL(redirectTo);
      if (params.state !== undefined) url.searchParams.set('state', params.state);
      return reply.redirect(url.toString(), 302);
    }
    return this.signedOut(reply);
  }

  /** The confirmed sign-out without a hint: ends the browser session in the cookie. */
  @Post('logout')
  @ApiOkResponse({ description: 'The confirmed sign-out of the browser session in the cookie; the signed-out page (HTML).' })
  @HostedPageForm()
  async confirmed(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const cookie = readCookie(req.headers, SESSION_COOKIE);
    const current = await this.browserSessions.find(cookie);
    if (current) await this.browserSessions.endForUser(current.id, current.userId, 'logout');
    // Only when the browser sent its cookie: another site's form post arrives without it (SameSite=Lax), yet a
    // Set-Cookie in the answer to a top-level navigation would still be stored and sign the user out.
    if (cookie) reply.header('set-cookie', clearCookie(this.cookieScope(), SESSION_COOKIE));
    const atIdp = current ? await this.idpLogout(current, {}) : undefined;
    if (atIdp) return reply.redirect(atIdp, 303);
    return this.signedOut(reply);
  }

  /**
   * The IdP's single logout for a session that has already ended here. A failure (Redis, a connection
   * gone) costs only the IdP's logout: the Credence session and its tokens are over either way.
   */
  private async idpLogout(session: BrowserSession, after: AfterLogout): Promise<string | undefined> {
    if (!session.idp) return undefined;
    try {
      return await (this.federation ?? NO_FEDERATED_LOGOUT).logoutUrl(session, after);
    } catch (err) {
      this.logger.warn(`single logout at the IdP could not start: ${(err as Error).message}`);
      return undefined;
    }
  }

  private async confirm(reply: FastifyReply): Promise<FastifyReply> {
    const frame = await this.branding.frame();
    const action = `/v1/t/${frame.tenantSlug}/oauth2/logout`;
    const body = html`<form method="post" action="${action}">
      <p>Do you want to sign out?</p>
      <button type="submit">Sign out</button>
    </form>`;
    return sendHtml(reply, 200, layout({ ...frame, title: 'Sign out' }, body));
  }

  private async signedOut(reply: FastifyReply): Promise<FastifyReply> {
    const frame = await this.branding.frame();
    return sendHtml(reply, 200, layout({ ...frame, title: 'You are signed out' }, html`<p>You can close this window.</p>`));
  }

  private cookieScope(): CookieScope {
    return { tenantSlug: this.context.requireTenant().slug, secure: this.config.NODE_ENV !== 'development' };
  }

  private async page(reply: FastifyReply, status: number, message: string, code: string): Promise<FastifyReply> {
    return sendHtml(reply, status, errorPage(await this.branding.frame(), message, code, SIGN_OUT));
  }
}
