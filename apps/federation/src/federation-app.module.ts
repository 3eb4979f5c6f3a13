import { Module } from '@nestjs/common';
import { FederationModule, MetadataRefreshJobsModule } from '@credence/federation';
import { IdentityAccessModule } from '@credence/identity';

/**
 * apps/federation: IdP connections (SAML, OIDC, LDAP), the sign-ins through them, and the scheduled IdP
 * metadata refresh (the `federation` queue's worker). Its features live in libs/federation.
 */
@Module({ imports: [FederationModule, MetadataRefreshJobsModule, IdentityAccessModule] })
export class FederationAppModule {}
