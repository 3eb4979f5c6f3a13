import { Module } from '@nestjs/common';
import { EventStoreModule } from '@credence/event-store';
import { IdentityModule, IdentityRpcModule } from '@credence/identity';
import { OauthModule } from '@credence/oauth';
import { PlatformAdminModule } from '@credence/platform-admin';

/** apps/auth: platform admin API, identity, tokens, the OpenID Provider's applications, event replay, and the identity answers on the event transport. Its features live in libs. */
@Module({
  imports: [PlatformAdminModule, IdentityModule, OauthModule, EventStoreModule, IdentityRpcModule],
})
export class AuthAppModule {}
