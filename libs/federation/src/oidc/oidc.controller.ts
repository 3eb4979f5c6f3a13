import { Controller, Get, Inject, Param, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiSeeOtherResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@credence/access';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { clientInfo } from '@credence/identity';
import { BINDING_COOKIE, HostedPage, HtmlErrorFilter, PageError, readCookie, SESSION_COOKIE, setCookie } from '@credence/oauth';
import { TenantRouteGuard } from '@credence/tenancy';
import { OidcCallback } from './oidc-callback';

/**
 * The OIDC relying party of a connection (docs/federation.md, "OIDC sign-in"): the callback the IdP
 * sends the browser back to, and (private_key_jwt) the public key of the connection's client
 * assertions. Every error is an HTML page.
 */
@ApiTags('OIDC relying party')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@ApiParam({ name: 'id', description: 'Connection id' })
@Controller('v1/t/:tenant/connections/:id/oidc')
@Public('OIDC callback: the state taken once, the browser binding cookie and the IdP-signed ID token guard it; the JWKS is public by nature')
@UseFilters(HtmlErrorFilter)
export class OidcController {
  constructor(
    private readonly callbackUse: OidcCallback,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('callback')
  @HostedPage()
  @ApiSeeOtherResponse({ description: 'To the application with a code (a browser session starts); refused: an HTML page and federation.login.failed.' })
  @UseGuards(TenantRouteGuard)
  async callback(@Param('tenant') _t: string, @Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const connection = await this.callbackUse.connection(id);
    const url = req.raw.url ?? '';
    const rawQuery = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    const done = await this.callbackUse.execute(connection, rawQuery, readCookie(req.headers, BINDING_COOKIE), clientInfo(req));
    if (done.sessionCookie) {
      const scope = { tenantSlug: this.context.requireTenant().slug, secure: this.config.NODE_ENV !== 'development' };
      reply.header('set-cookie', setCookie(scope, SESSION_COOKIE, done.sessionCookie.value, done.sessionCookie.maxAgeSeconds));
    }
    return reply.status(303).header('location', done.redirectTo).header('cache-control', 'no-store').send();
  }

  @Get('jwks')
  @HostedPage()
  @ApiOkResponse({ description: 'private_key_jwt connections: the public key Credence signs its client assertions with (JWKS).' })
  @UseGuards(TenantRouteGuard)
  async jwks(@Param('tenant') _t: string, @Param('id') id: string, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const jwk = (await this.callbackUse.connection(id)).connection.oidc!.client_public_jwk;
    if (!jwk) throw new PageError(404, 'This connection signs no client assertions.');
    return reply
      .status(200)
      .header('content-type', 'application/jwk-set+json')
      .header('cache-control', 'max-age=300')
      .send({ keys: [jwk] });
  }
}
