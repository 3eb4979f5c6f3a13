import { Module } from '@nestjs/common';
import { EventStoreModule } from '@credence/event-store';
import { FederationLoginModule } from '@credence/federation';
import { IdentityModule, IdentityRpcModule } from '@credence/identity';
import { OauthModule } from '@credence/oauth';
import { PlatformAdminModule } from '@credence/platform-admin';

/** apps/auth: platform admin API, identity, tokens, the OpenID Provider (with federation's connections offered on its pages), event replay, and the identity answers on the event transport. Its features live in libs. */
@Module({
  imports: [PlatformAdminModule, IdentityModule, OauthModule, FederationLoginModule, EventStoreModule, IdentityRpcModule],
})
export class AuthAppModule {}
