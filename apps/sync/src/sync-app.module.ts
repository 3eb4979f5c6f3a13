import { Module } from '@nestjs/common';
import { IdentityAccessModule } from '@credence/identity';
import { SyncJobsModule, SyncModule } from '@credence/sync';

/** apps/sync: directory sync, SCIM and outbound webhooks. The sync API and its worker live in libs/sync. */
@Module({ imports: [SyncModule, SyncJobsModule, IdentityAccessModule] })
export class SyncAppModule {}
