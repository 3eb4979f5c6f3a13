import { Module } from '@nestjs/common';

/** apps/sync: directory sync, SCIM and outbound webhooks. Features arrive with their issues; health and metrics come from the core. */
@Module({})
export class SyncAppModule {}
