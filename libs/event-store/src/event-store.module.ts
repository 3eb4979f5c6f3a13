import { Module } from '@nestjs/common';
// The admin API's own guard class (not exported by libs/platform-admin yet).
import { PlatformAdminGuard } from '../../platform-admin/src/auth/platform-admin.guard';
import { ReplayReadersGuard } from './replay/replay-readers.guard';
import { ReplayController } from './replay/replay.controller';

/** GET /v1/t/{tenant}/events: replay from the event store. */
@Module({ controllers: [ReplayController], providers: [PlatformAdminGuard, ReplayReadersGuard] })
export class EventStoreModule {}
