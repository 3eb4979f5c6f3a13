import { Controller, Get, Header, Inject, Param, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Public } from '@credence/access';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { ApiErrors } from '@credence/http';
import { TenantRouteGuard } from '@credence/tenancy';
import { issuerFor } from '../tokens/token-issuer';

/**
 * Provider metadata for one tenant (RFC 8414 names). It lists only what exists today; the
 * authorization and token endpoints, response types and ID-token fields join with the OAuth flows.
 */
@ApiTags('tokens')
@Controller('v1/t/:tenant/.well-known')
@Public()
@UseGuards(TenantRouteGuard)
@ApiErrors(403, 404, 503)
export class DiscoveryController {
  constructor(
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiParam({ name: 'tenant', description: 'Tenant slug' })
  @ApiOkResponse({ description: 'OpenID Connect discovery document (RFC 8414 fields).' })
  discovery(@Param('tenant') _tenant: string) {
    const issuer = issuerFor(this.config.CREDENCE_BASE_URL, this.context.requireTenant().slug);
    return {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      introspection_endpoint: `${issuer}/auth/introspect`,
      revocation_endpoint: `${issuer}/auth/revoke`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      access_token_signing_alg_values_supported: ['ES256'],
      claims_supported: ['iss', 'aud', 'sub', 'tid', 'sid', 'jti', 'iat', 'nbf', 'exp', 'roles'],
    };
  }
}
