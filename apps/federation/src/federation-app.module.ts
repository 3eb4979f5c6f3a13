import { Module } from '@nestjs/common';
import { FederationModule } from '@credence/federation';
import { IdentityAccessModule } from '@credence/identity';

/** apps/federation: IdP connections (SAML, OIDC, LDAP) and the sign-ins through them. Its features live in libs/federation. */
@Module({ imports: [FederationModule, IdentityAccessModule] })
export class FederationAppModule {}
