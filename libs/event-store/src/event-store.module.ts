import { Module } from '@nestjs/common';
// The admin API's own guard class (not exported by libs/platform-admin yet).
import { PlatformAdminGuard } from '@credence/platform-admin';
import { ReplayReadersGuard, TENANT_ADMIN_EVENTS_READER } from './replay/replay-readers.guard';
import { TenantAdminTokenReader } from './replay/tenant-admin-token.reader';
import { ReplayController } from './replay/replay.controller';

/** GET /v1/t/{tenant}/events: replay from the event store. */
@Module({ controllers: [ReplayController], providers: [PlatformAdminGuard, ReplayReadersGuard, { provide: TENANT_ADMIN_EVENTS_READER, useClass: TenantAdminTokenReader }] })
export class EventStoreModule {}
