import { Module } from '@nestjs/common';
import { EventStoreModule } from '@credence/event-store';
import { IdentityModule, TransportAccessChecker, TransportTokenValidator } from '@credence/identity';
import { IdentityRpcModule } from '@credence/identity-rpc';
import { PlatformAdminModule } from '@credence/platform-admin';

/** apps/auth: platform admin API, identity, tokens, event replay, and the identity answers on the event transport. Its features live in libs. */
@Module({
  imports: [
    PlatformAdminModule,
    IdentityModule,
    EventStoreModule,
    IdentityRpcModule.forRoot({ imports: [IdentityModule], tokenValidator: TransportTokenValidator, accessChecker: TransportAccessChecker }),
  ],
})
export class AuthAppModule {}
