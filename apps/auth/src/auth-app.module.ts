import { Module } from '@nestjs/common';
import { IdentityModule, IdentityRpcModule } from '@credence/identity';
import { PlatformAdminModule } from '@credence/platform-admin';

/** apps/auth: platform admin API, identity, tokens, and the identity answers on the event transport. Its features live in libs. */
@Module({
  imports: [
    PlatformAdminModule,
    IdentityModule,
    IdentityRpcModule,
  ],
})
export class AuthAppModule {}
