import { Module } from '@nestjs/common';
import { IdentityModule } from '@credence/identity';
import { PlatformAdminModule } from '@credence/platform-admin';

/** apps/auth: platform admin API, identity, tokens. Its features live in libs. */
@Module({ imports: [PlatformAdminModule, IdentityModule] })
export class AuthAppModule {}
