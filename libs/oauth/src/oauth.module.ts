import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { IdentityCoreModule } from '@credence/identity';
import { APPLICATION_READERS, APPLICATIONS_CONTROLLERS, APPLICATIONS_PROVIDERS } from './applications/applications.providers';
import { AuthorizeController } from './authorize/authorize.controller';
import { BrowserAppOrigins } from './cors/browser-app-origins';
import { AuthorizationCodes } from './codes/authorization-codes';
import { CompleteInteraction } from './interactions/complete-interaction/complete-interaction';
import { InteractionStore } from './interactions/interaction-store';
import { SignInBrowser } from './interactions/sign-in-browser/sign-in-browser';
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
const TOKEN_PROVIDERS = [BrowserAppOrigins, ClientAuthentication, AuthorizationCodeGrant, RefreshTokenGrant, ClientCredentialsGrant, IdTokenMinter, UserRecords];

/** What every sign-in path shares, the OpenID Provider's routes and federation's alike. */
const INTERACTION_PROVIDERS = [
  InteractionStore,
  AuthorizationCodes,
  SignInBrowser,
  CompleteInteraction,
  TenantBranding,
  HtmlErrorFilter,
  HostedPageErrors,
  ...APPLICATION_READERS,
];

/**
 * Interactions, codes and CompleteInteraction, the application lookup, and the HTML error pages,
 * without any route: federation (apps/federation) imports this to finish its sign-ins.
 */
@Module({
  imports: [CqrsModule, IdentityCoreModule],
  providers: INTERACTION_PROVIDERS,
  exports: INTERACTION_PROVIDERS,
})
export class OauthInteractionsModule {}

// FEDERATED_LOGIN is bound by federation's FederationLoginModule (global) when the process has it;
// without it a tenant has no connections (NO_FEDERATION).
const OP_PROVIDERS = [IdTokenHints, ...LOGIN_PAGE_PROVIDERS];

/**
 * Credence as each tenant's OpenID Provider: the tenant's applications (its OAuth clients), the
 * authorization, token, userinfo and logout endpoints, and the hosted login page (docs/oidc.md).
 */
@Module({
  imports: [CqrsModule, IdentityCoreModule, OauthInteractionsModule],
  controllers: [...APPLICATIONS_CONTROLLERS, ...TOKEN_CONTROLLERS, AuthorizeController, LogoutController, ...LOGIN_PAGE_CONTROLLERS],
  providers: [...APPLICATIONS_PROVIDERS, ...OP_PROVIDERS, ...TOKEN_PROVIDERS],
  exports: [OauthInteractionsModule],
})
export class OauthModule {}
