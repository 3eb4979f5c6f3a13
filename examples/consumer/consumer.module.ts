import { Module } from '@nestjs/common';
import { ConsumerKitModule } from '@credence/consumer-kit';
import { EventsController } from './events.controller';
import { settings } from './settings';

@Module({
  imports: [ConsumerKitModule.forRoot({ credenceUrl: settings.credenceUrl, redisUrl: settings.redisUrl, redisPrefix: settings.prefix, service: 'example-consumer' })],
  controllers: [EventsController],
})
export class ConsumerModule {}
