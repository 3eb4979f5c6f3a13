import { Body, Controller, Header, HttpCode, Options, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiConsumes, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@credence/access';
import { AcceptsForm } from '@credence/http';
import { clientInfo } from '@credence/identity';
import { TenantRouteGuard } from '@credence/tenancy';
import { BrowserAppOrigins } from '../cors/browser-app-origins';
import { ClientAuthentication } from './client-authentication';
import { AuthorizationCodeGrant } from './grants/authorization-code-grant';
import { ClientCredentialsGrant } from './grants/client-credentials-grant';
import { RefreshTokenGrant } from './grants/refresh-token-grant';
import { invalidRequest, OAuthError } from './oauth-error';
import { OAuthErrorFilter, renderOAuthError } from './oauth-error.filter';
import { TokenResponse } from './token-response';

type HttpRequest = { ip?: string; headers: Record<string, string | string[] | undefined> };

const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/** The form as parsed for @AcceptsForm routes: strings only, each parameter once. Anything else is refused. */
function formOf(req: HttpRequest, body: unknown): Record<string, string> {
  const type = req.headers['content-type'];
  if (typeof type !== 'string' || !FORM.test(type) || !body || typeof body !== 'object') {
    throw invalidRequest('The body must be application/x-www-form-urlencoded.');
  }
  return body as Record<string, string>;
}

/**
 * The OpenID Provider's token endpoint (RFC 6749 §3.2, OIDC Core §3.1.3). Form bodies only; answers and
 * errors are JSON with `Cache-Control: no-store` (errors as RFC 6749 §5.2, by OAuthErrorFilter).
 */
@ApiTags('openid provider')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/oauth2')
@UseFilters(OAuthErrorFilter)
export class TokenController {
  constructor(
    private readonly clients: ClientAuthentication,
    private readonly authorizationCode: AuthorizationCodeGrant,
    private readonly refreshToken: RefreshTokenGrant,
    private readonly clientCredentials: ClientCredentialsGrant,
    private readonly origins: BrowserAppOrigins,
  ) {}

  @Post('token')
  @HttpCode(200)
  @Public('the client authenticates itself (or, public, presents its PKCE-bound code)')
  @UseGuards(TenantRouteGuard)
  @AcceptsForm({ renderErrors: renderOAuthError })
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiBasicAuth()
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({ summary: 'Token endpoint: authorization_code (PKCE), refresh_token, client_credentials' })
  @ApiOkResponse({ description: 'access_token, token_type, expires_in, and refresh_token, id_token, scope where they apply.' })
  async token(@Param('tenant') _t: string, @Body() body: unknown, @Req() req: HttpRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenResponse> {
    // First, so that a single-page app can read the errors too.
    await this.origins.answer(req, reply);
    const form = formOf(req, body);
    const grantType = form.grant_type;
    if (!grantType) throw invalidRequest('grant_type is required.');
    if (!['authorization_code', 'refresh_token', 'client_credentials'].includes(grantType)) {
      throw new OAuthError('unsupported_grant_type', 'grant_type must be authorization_code, refresh_token or client_credentials.');
    }
    const authorization = typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined;
    const { client } = await this.clients.authenticate(authorization, form, req.ip ?? null);
    if (grantType === 'authorization_code') return this.authorizationCode.exchange(client, form, clientInfo(req));
    if (grantType === 'refresh_token') return this.refreshToken.exchange(client, form);
    return this.clientCredentials.exchange(client, form);
  }

  @Options('token')
  @HttpCode(204)
  @Public('a CORS preflight carries no credential')
  @UseGuards(TenantRouteGuard)
  @ApiOperation({ summary: "CORS preflight: allowed for the origins of the tenant's public apps' redirect URIs" })
  @ApiNoContentResponse()
  async preflight(@Param('tenant') _t: string, @Req() req: HttpRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.origins.preflight(req, reply, 'POST');
  }
}
