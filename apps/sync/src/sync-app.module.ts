import { Module } from '@nestjs/common';
import { IdentityAccessModule } from '@credence/identity';
import { WebhooksModule } from '@credence/webhooks';

/**
 * apps/sync: directory sync, SCIM and outbound webhooks. Its features live in libs (webhooks in
 * libs/webhooks); identity, behind the access ports, verifies the tenant admins who manage them.
 */
@Module({ imports: [WebhooksModule, IdentityAccessModule] })
export class SyncAppModule {}
