import { Module } from '@nestjs/common';
import { ReplayController } from './replay/replay.controller';

/** GET /v1/t/{tenant}/events: replay from the event store. A feature: the auth app imports it. */
@Module({ controllers: [ReplayController] })
export class EventStoreModule {}
