import { Controller, Get, Inject, Optional, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { Public } from '@credence/access';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { addressBucket, RateLimiter } from '@credence/identity';
import { sha256 } from '@credence/crypto';
import { TenantRouteGuard } from '@credence/tenancy';
import { ApplicationClient, ApplicationClients } from '../applications/application-clients';
import { BrowserSession, BrowserSessions } from '@credence/identity';
import { BINDING_COOKIE, CookieScope, readCookie, SESSION_COOKIE, setCookie } from '../browser/cookies';
import { FEDERATED_LOGIN, FederatedLogin, LoginConnection, NO_FEDERATION } from '../federation/federated-login';
import { CompleteInteraction, redirectToClient } from '../interactions/complete-interaction/complete-interaction';
import { InteractionStore } from '../interactions/interaction-store';
import { IdTokenHint, IdTokenHints } from '../logout/id-token-hint';
import { errorPage } from '../pages/error-page';
import { HostedPage } from '../pages/hosted-page-route';
import { HtmlErrorFilter } from '../pages/html-error.filter';
import { sendHtml } from '../pages/security-headers';
import { TenantBranding } from '../pages/tenant-branding';
import { AuthorizationError, AuthorizationRequest, parseAuthorizationRequest, Query, single } from './authorization-request';

/** The binding cookie outlives any interaction; it names the browser, not a sign-in. */
const BINDING_MAX_AGE_SECONDS = 86_400;

/**
 * GET /oauth2/authorize (authorization code flow, OIDC Core §3.1.2). Until client_id and redirect_uri
 * are known to belong together, every problem is an error page: redirecting to an unverified URI
 * would make Credence an open redirector. After that, problems go back to the app with state and iss.
 */
@ApiTags('openid provider')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@ApiProduces('text/html')
@Controller('v1/t/:tenant/oauth2')
@Public()
@UseGuards(TenantRouteGuard)
@UseFilters(HtmlErrorFilter)
export class AuthorizeController {
  constructor(
    private readonly clients: ApplicationClients,
    private readonly interactions: InteractionStore,
    private readonly browserSessions: BrowserSessions,
    private readonly complete: CompleteInteraction,
    private readonly branding: TenantBranding,
    private readonly context: RequestContext,
    private readonly limiter: RateLimiter,
    private readonly hints: IdTokenHints,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(FEDERATED_LOGIN) private readonly boundFederation?: FederatedLogin,
  ) {}

  /** Federation's binding, or no connections at all when this process has no federation. */
  private get federation(): FederatedLogin {
    return this.boundFederation ?? NO_FEDERATION;
  }

  @Get('authorize')
  @ApiFoundResponse({ description: 'To the hosted login page, an IdP, or back to the redirect_uri with code (or error), state and iss. docs/oidc.md lists the parameters.' })
  @ApiOkResponse({ description: 'Never: an unknown client or redirect_uri gets an HTML error page (400).' })
  @HostedPage()
  async authorize(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const tenant = this.context.requireTenant();
    // Every answer: a redirect carries a code or an interaction, a page an error about this request.
    reply.header('cache-control', 'no-store');
    // Each request may store an interaction for ten minutes: bounded per address so no one can fill Redis.
    await this.limiter.enforce(this.limiter.key('authorize-ip', tenant.id, addressBucket(req.ip)), this.config.AUTHORIZE_IP_LIMIT_PER_MINUTE, 60);
    const query = (req.query ?? {}) as Query;
    let clientId: string | undefined;
    let redirectUri: string | undefined;
    try {
      clientId = single(query, 'client_id');
      redirectUri = single(query, 'redirect_uri');
    } catch {
      return this.page(reply, 400, 'The request repeats client_id or redirect_uri.', 'invalid_request');
    }
    const app = clientId ? await this.clients.find(clientId) : undefined;
    if (!app) return this.page(reply, 400, 'The application that sent you here is not registered with this organisation.', 'invalid_client');
    if (!redirectUri || !app.redirectUris.includes(redirectUri)) {
      return this.page(reply, 400, 'The application sent you here with a return address it has not registered.', 'invalid_redirect_uri');
    }
    const state = typeof query.state === 'string' && query.state.length <= 512 ? query.state : undefined;
    try {
      const request = parseAuthorizationRequest(query);
      return await this.answer(req, reply, app, redirectUri, request);
    } catch (err) {
      if (!(err instanceof AuthorizationError)) throw err;
      return reply.redirect(redirectToClient(redirectUri, this.complete.issuer(), { error: err.error, error_description: err.description, state }), 302);
    }
  }

  private async answer(req: FastifyRequest, reply: FastifyReply, app: ApplicationClient, redirectUri: string, request: AuthorizationRequest): Promise<FastifyReply> {
    const hint = await this.hints.read(request.idTokenHint);
    if (request.idTokenHint && !hint) throw new AuthorizationError('invalid_request', 'id_token_hint is not an ID token of this issuer');
    const session = await this.browserSessions.find(readCookie(req.headers, SESSION_COOKIE));
    if (session && !this.mustSignIn(session, request, app, hint)) {
      const to = await this.complete.answer({ clientId: app.clientId, redirectUri, ...request }, session);
      return reply.redirect(to, 302);
    }
    if (request.prompt === 'none') throw new AuthorizationError('login_required', 'the user is not signed in');

    const connection = await this.pickConnection(app, request);
    let binding = readCookie(req.headers, BINDING_COOKIE);
    if (!binding || !/^[A-Za-z0-9_-]{43}$/.test(binding)) binding = randomBytes(32).toString('base64url');
    const interaction = await this.interactions.create({
      clientId: app.clientId,
      redirectUri,
      scope: request.scope,
      state: request.state,
      nonce: request.nonce,
      codeChallenge: request.codeChallenge,
      prompt: request.prompt,
      maxAge: request.maxAge,
      loginHint: request.loginHint,
      connection: connection?.id,
      binding: sha256(binding).toString('hex'),
    });
    reply.header('set-cookie', setCookie(this.cookieScope(), BINDING_COOKIE, binding, BINDING_MAX_AGE_SECONDS));
    if (connection) return reply.redirect(await this.federation.start(interaction, connection), 302);
    const slug = this.context.requireTenant().slug;
    return reply.redirect(`/v1/t/${slug}/login?interaction=${interaction.id}`, 302);
  }

  /**
   * A session answers at once unless the app asks for a fresh sign-in, the session came through a connection the app
   * may not use, or it is not the user the app's id_token_hint names (prompt=none then gets login_required).
   */
  private mustSignIn(session: BrowserSession, request: AuthorizationRequest, app: ApplicationClient, hint: IdTokenHint | undefined): boolean {
    if (request.prompt === 'login') return true;
    if (hint && hint.userId !== session.userId) return true;
    if (request.maxAge !== undefined && Date.now() / 1000 - session.authTime > request.maxAge) return true;
    if (session.idp && app.connections && !app.connections.includes(session.idp)) return true;
    if (request.connection && session.idp !== request.connection) return true;
    return false;
  }

  /** `connection` must name a connection the app may use; `domain_hint` is a hint: a domain no connection owns is ignored. */
  private async pickConnection(app: ApplicationClient, request: AuthorizationRequest): Promise<LoginConnection | undefined> {
    if (!request.connection && !request.domainHint) return undefined;
    const allowed = await this.federation.connectionsFor(app.connections);
    if (request.connection) {
      const found = allowed.find((c) => c.id === request.connection);
      if (!found) throw new AuthorizationError('invalid_request', 'connection names no connection this application may use');
      return found;
    }
    const owner = await this.federation.connectionForDomain(request.domainHint!);
    return owner && allowed.some((c) => c.id === owner.id) ? owner : undefined;
  }

  private cookieScope(): CookieScope {
    return { tenantSlug: this.context.requireTenant().slug, secure: this.config.NODE_ENV !== 'development' };
  }

  private async page(reply: FastifyReply, status: number, message: string, code: string): Promise<FastifyReply> {
    return sendHtml(reply, status, errorPage(await this.branding.frame(), message, code));
  }
}
