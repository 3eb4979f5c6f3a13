import { Module } from '@nestjs/common';

/** apps/federation: IdP connections (SAML, OIDC, LDAP) and home-realm discovery. Features arrive with their issues; health and metrics come from the core. */
@Module({})
export class FederationAppModule {}
