import { Module } from '@nestjs/common';
import { IdentityAccessModule } from '@credence/identity';
import { ScimModule } from '@credence/scim';

/** apps/sync: directory sync, SCIM and outbound webhooks. Features arrive with their issues; health and metrics come from the core. */
@Module({ imports: [ScimModule, IdentityAccessModule] })
export class SyncAppModule {}
