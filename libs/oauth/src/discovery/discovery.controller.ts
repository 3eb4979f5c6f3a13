import { Controller, Get, Header, Inject, Param, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Public } from '@credence/access';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { ApiErrors } from '@credence/http';
import { issuerFor } from '@credence/identity';
import { TenantRouteGuard } from '@credence/tenancy';
import { TOKEN_AUTH_METHODS } from '../token/client-authentication';
import { SUPPORTED_SCOPES } from '../tokens/scopes';

/** Every claim an ID token, userinfo or an access token of this provider may carry. */
const CLAIMS_SUPPORTED = [
  'iss',
  'aud',
  'sub',
  'exp',
  'iat',
  'nbf',
  'jti',
  'auth_time',
  'nonce',
  'sid',
  'amr',
  'at_hash',
  'tid',
  'idp',
  'roles',
  'client_id',
  'scope',
  'email',
  'email_verified',
  'name',
  'given_name',
  'family_name',
  'preferred_username',
];

/**
 * Provider metadata for one tenant (OpenID Connect Discovery 1.0, RFC 8414 names): the OpenID
 * Provider's endpoints and what they support, plus introspection and revocation for services.
 */
@ApiTags('openid provider')
@Controller('v1/t/:tenant/.well-known')
@Public('provider metadata is public by definition')
@UseGuards(TenantRouteGuard)
@ApiErrors(403, 404, 503)
export class DiscoveryController {
  constructor(
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  // Public by definition, and read by single-page apps' OIDC libraries from their own origin.
  @Header('Access-Control-Allow-Origin', '*')
  @ApiParam({ name: 'tenant', description: 'Tenant slug' })
  @ApiOkResponse({ description: 'OpenID Connect discovery document.' })
  discovery(@Param('tenant') _tenant: string) {
    const issuer = issuerFor(this.config.CREDENCE_BASE_URL, this.context.requireTenant().slug);
    return {
      issuer,
      authorization_endpoint: `${issuer}/oauth2/authorize`,
      token_endpoint: `${issuer}/oauth2/token`,
      userinfo_endpoint: `${issuer}/oauth2/userinfo`,
      end_session_endpoint: `${issuer}/oauth2/logout`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      introspection_endpoint: `${issuer}/auth/introspect`,
      revocation_endpoint: `${issuer}/auth/revoke`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: [...SUPPORTED_SCOPES],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      token_endpoint_auth_methods_supported: [...TOKEN_AUTH_METHODS],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      access_token_signing_alg_values_supported: ['ES256'],
      authorization_response_iss_parameter_supported: true,
      claims_parameter_supported: false,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      claims_supported: CLAIMS_SUPPORTED,
    };
  }
}
