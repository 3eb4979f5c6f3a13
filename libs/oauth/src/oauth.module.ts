import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { IdentityCoreModule } from '@credence/identity';
import { ApplicationClients } from './applications/application-clients';
import { APPLICATIONS_CONTROLLERS, APPLICATIONS_PROVIDERS } from './applications/applications.providers';
import { AuthorizeController } from './authorize/authorize.controller';

import { AuthorizationCodes } from './codes/authorization-codes';
import { CompleteInteraction } from './interactions/complete-interaction/complete-interaction';
import { FEDERATED_LOGIN, NO_FEDERATION } from './federation/federated-login';
import { InteractionStore } from './interactions/interaction-store';
import { IdTokenHints } from './logout/id-token-hint';
import { LogoutController } from './logout/logout.controller';
import { LOGIN_PAGE_CONTROLLERS, LOGIN_PAGE_PROVIDERS } from './login-page/login-page.providers';
import { HostedPageErrors } from './pages/hosted-page-route';
import { HtmlErrorFilter } from './pages/html-error.filter';
import { TenantBranding } from './pages/tenant-branding';
import { DiscoveryController } from './discovery/discovery.controller';
import { ClientAuthentication } from './token/client-authentication';
import { AuthorizationCodeGrant } from './token/grants/authorization-code-grant';
import { ClientCredentialsGrant } from './token/grants/client-credentials-grant';
import { RefreshTokenGrant } from './token/grants/refresh-token-grant';
import { TokenController } from './token/token.controller';
import { IdTokenMinter } from './tokens/id-token-minter';
import { UserRecords } from './tokens/user-claims';
import { UserinfoController } from './userinfo/userinfo.controller';

/** Discovery, the token endpoint and userinfo. */
const TOKEN_CONTROLLERS = [DiscoveryController, TokenController, UserinfoController];
const TOKEN_PROVIDERS = [ClientAuthentication, AuthorizationCodeGrant, RefreshTokenGrant, ClientCredentialsGrant, IdTokenMinter, UserRecords];

const OP_PROVIDERS = [
  InteractionStore,
  AuthorizationCodes,
  CompleteInteraction,
  TenantBranding,
  IdTokenHints,
  HtmlErrorFilter,
  HostedPageErrors,
  ...LOGIN_PAGE_PROVIDERS,
  // Federation (issues 12 and 13) replaces this binding; until then a tenant has no connections.
  { provide: FEDERATED_LOGIN, useValue: NO_FEDERATION },
];

/**
 * Credence as each tenant's OpenID Provider: the tenant's applications (its OAuth clients), the
 * authorization, token, userinfo and logout endpoints, and the hosted login page (docs/oidc.md).
 */
@Module({
  imports: [CqrsModule, IdentityCoreModule],
  controllers: [...APPLICATIONS_CONTROLLERS, ...TOKEN_CONTROLLERS, AuthorizeController, LogoutController, ...LOGIN_PAGE_CONTROLLERS],
  providers: [...APPLICATIONS_PROVIDERS, ...OP_PROVIDERS, ...TOKEN_PROVIDERS],
  exports: [ApplicationClients, CompleteInteraction, InteractionStore],
})
export class OauthModule {}
