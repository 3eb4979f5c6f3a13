import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { IdentityCoreModule } from '@credence/identity';
import { OauthInteractionsModule } from '@credence/oauth';
import { ConnectionCache, ConnectionChanges } from './connections/connection-cache';
import { ConnectionStore } from './connections/connection-store';
import { CONNECTIONS_CONTROLLERS, CONNECTIONS_PROVIDERS } from './connections/connections.providers';
import { LOGIN_STARTERS } from './login/login-starters';
import { MetadataRefresh } from './connections/metadata-refresh/metadata-refresh';
import { OutboundFetch } from './outbound/outbound-fetch';
import { CompleteFederatedSignIn } from './login/complete-federated-sign-in';
import { FederatedSignIn } from './users/federated-sign-in';
import { SamlAcs } from './saml/saml-acs';
import { SamlContinue } from './saml/saml-continue';
import { SamlIdpInitiated } from './saml/saml-idp-initiated';
import { SamlLoginStarter } from './saml/saml-login-starter';
import { SamlLogout } from './saml/saml-logout';
import { SamlSpLogout } from './saml/saml-sp-logout';
import { SamlState } from './saml/saml-state';
import { SamlVerifier } from './saml/saml-verifier';
import { SamlController } from './saml/saml.controller';
import { OidcCallback } from './oidc/oidc-callback';
import { OidcClients } from './oidc/oidc-clients';
import { OidcFinish } from './oidc/oidc-finish';
import { OidcLoginStarter } from './oidc/oidc-login-starter';
import { OidcState } from './oidc/oidc-state';
import { OidcController } from './oidc/oidc.controller';
import { LdapDirectory } from './ldap/ldap-directory';
import { LdapLoginStarter } from './ldap/ldap-login-starter';
import { LdapPool } from './ldap/ldap-pool';
import { LdapSignIn } from './ldap/ldap-sign-in';

const FEDERATION_PROVIDERS = [
  ConnectionStore,
  ConnectionCache,
  ConnectionChanges,
  OutboundFetch,
  FederatedSignIn,
  CompleteFederatedSignIn,
  SamlState,
  SamlLoginStarter,
  SamlSpLogout,
  OidcClients,
  OidcState,
  OidcLoginStarter,
  LdapPool,
  LdapDirectory,
  LdapSignIn,
  LdapLoginStarter,
  // The sign-in starters of each connection type.
  { provide: LOGIN_STARTERS, useFactory: (...starters: unknown[]) => starters, inject: [SamlLoginStarter, OidcLoginStarter, LdapLoginStarter] },
];

/**
 * Federation: a tenant's IdP connections (SAML, OIDC, LDAP), the sign-in through them, and the users
 * they bring (docs/federation.md). Served by apps/federation; every sign-in ends in CompleteInteraction.
 */
@Module({
  imports: [CqrsModule, IdentityCoreModule, OauthInteractionsModule],
  controllers: [...CONNECTIONS_CONTROLLERS, SamlController, OidcController],
  providers: [...FEDERATION_PROVIDERS, ...CONNECTIONS_PROVIDERS, SamlVerifier, SamlAcs, SamlContinue, SamlIdpInitiated, SamlLogout, OidcCallback, OidcFinish],
  exports: [...FEDERATION_PROVIDERS, MetadataRefresh],
})
export class FederationModule {}
