import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { IdentityCoreModule } from '@credence/identity';
import { ApplicationClients } from './applications/application-clients';
import { APPLICATIONS_CONTROLLERS, APPLICATIONS_PROVIDERS } from './applications/applications.providers';
import { BrowserSessions } from './browser/browser-sessions';
import { AuthorizationCodes } from './codes/authorization-codes';
import { CompleteInteraction } from './interactions/complete-interaction/complete-interaction';
import { FEDERATED_LOGIN, NO_FEDERATION } from './federation/federated-login';
import { InteractionStore } from './interactions/interaction-store';
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
  BrowserSessions,
  CompleteInteraction,
  TenantBranding,
  // Federation (issues 12 and 13) replaces this binding; until then a tenant has no connections.
  { provide: FEDERATED_LOGIN, useValue: NO_FEDERATION },
];

/**
 * Credence as each tenant's OpenID Provider: the tenant's applications (its OAuth clients), the
 * authorization, token, userinfo and logout endpoints, and the hosted login page (docs/oidc.md).
 */
@Module({
  imports: [CqrsModule, IdentityCoreModule],
  controllers: [...APPLICATIONS_CONTROLLERS, ...TOKEN_CONTROLLERS],
  providers: [...APPLICATIONS_PROVIDERS, ...OP_PROVIDERS, ...TOKEN_PROVIDERS],
  exports: [ApplicationClients, CompleteInteraction, InteractionStore],
})
export class OauthModule {}
