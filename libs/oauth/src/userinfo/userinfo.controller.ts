import { Controller, Get, Header, HttpCode, Options, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@credence/access';
import { RequestContext } from '@credence/context';
import { AcceptsForm, RendersErrors } from '@credence/http';
import { InvalidTokenError, TokenVerifier } from '@credence/identity';
import { TenantRouteGuard } from '@credence/tenancy';
import { BrowserAppOrigins } from '../cors/browser-app-origins';
import { OAuthError } from '../token/oauth-error';
import { OAuthErrorFilter, renderOAuthError } from '../token/oauth-error.filter';
import { scopeSet } from '../tokens/scopes';
import { claimsForScope, UserRecords } from '../tokens/user-claims';

type HttpRequest = { headers: Record<string, string | string[] | undefined> };

/** RFC 6750 §3: the challenge names the error, except when no token was sent at all. */
const bearerError = (error: 'invalid_token' | 'insufficient_scope' | 'invalid_request' | undefined, description: string, status = 401) =>
  new OAuthError(error ?? 'invalid_token', description, status, {
    'WWW-Authenticate': error ? `Bearer realm="credence", error="${error}", error_description="${description}"` : 'Bearer realm="credence"',
  });

/**
 * OIDC Core §5.3: the signed-in user's claims, for an access token an application received with the
 * `openid` scope. The token comes in the Authorization header only (RFC 6750 §2.1; not as a form or
 * query parameter). The claims are read from the user's record now, per the token's scope.
 */
@ApiTags('openid provider')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/oauth2')
@UseFilters(OAuthErrorFilter)
@Public('the bearer access token is checked here, against the openid scope')
@UseGuards(TenantRouteGuard)
export class UserinfoController {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly users: UserRecords,
    private readonly context: RequestContext,
    private readonly origins: BrowserAppOrigins,
  ) {}

  @Get('userinfo')
  @RendersErrors(renderOAuthError)
  @Header('Cache-Control', 'no-store')
  @ApiBearerAuth('bearer')
  @ApiOperation({ summary: 'UserInfo endpoint (OIDC Core §5.3)' })
  @ApiOkResponse({ description: 'sub, and the claims of the granted scope (email, profile).' })
  get(@Param('tenant') _t: string, @Req() req: HttpRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<Record<string, unknown>> {
    return this.userinfo(req, reply);
  }

  @Post('userinfo')
  @HttpCode(200)
  @AcceptsForm({ renderErrors: renderOAuthError })
  @Header('Cache-Control', 'no-store')
  @ApiBearerAuth('bearer')
  @ApiOperation({ summary: 'UserInfo endpoint (OIDC Core §5.3), POST form; the token is still read from the header' })
  @ApiOkResponse({ description: 'As GET.' })
  post(@Param('tenant') _t: string, @Req() req: HttpRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<Record<string, unknown>> {
    return this.userinfo(req, reply);
  }

  @Options('userinfo')
  @HttpCode(204)
  @ApiOperation({ summary: "CORS preflight: allowed for the origins of the tenant's public apps' redirect URIs" })
  @ApiNoContentResponse()
  async preflight(@Param('tenant') _t: string, @Req() req: HttpRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.origins.preflight(req, reply, 'GET, POST');
  }

  private async userinfo(req: HttpRequest, reply: FastifyReply): Promise<Record<string, unknown>> {
    // First, so that a single-page app can read the errors too.
    await this.origins.answer(req, reply);
    const header = req.headers.authorization;
    const bearer = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header.trim()) : null;
    if (!bearer) throw bearerError(undefined, 'A bearer access token is required.');
    let claims: Record<string, unknown>;
    try {
      claims = await this.verifier.verifyClaims(this.context.requireTenant(), bearer[1]);
    } catch (err) {
      if (err instanceof InvalidTokenError) throw bearerError('invalid_token', 'The access token is not valid.');
      throw err;
    }
    if (typeof claims.client_id !== 'string' || !scopeSet(typeof claims.scope === 'string' ? claims.scope : '').has('openid')) {
      throw bearerError('insufficient_scope', 'The access token was not issued with the openid scope.', 403);
    }
    const user = await this.users.find(claims.sub as string);
    if (user?.status !== 'active') throw bearerError('invalid_token', 'The access token is not valid.');
    return { sub: user.id, ...claimsForScope(user, claims.scope as string) };
  }
}
