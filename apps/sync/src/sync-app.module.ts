import { Module } from '@nestjs/common';
import { IdentityAccessModule } from '@credence/identity';
import { ScimModule } from '@credence/scim';
import { SyncJobsModule, SyncModule } from '@credence/sync';
import { WebhooksModule } from '@credence/webhooks';

/**
 * apps/sync: directory sync, SCIM and outbound webhooks. Their features live in libs (the sync API and
 * its worker in libs/sync, the SCIM server in libs/scim, webhooks in libs/webhooks); identity, behind
 * the access ports, verifies the tenant admins and service credentials that call them.
 */
@Module({ imports: [SyncModule, SyncJobsModule, ScimModule, WebhooksModule, IdentityAccessModule] })
export class SyncAppModule {}
