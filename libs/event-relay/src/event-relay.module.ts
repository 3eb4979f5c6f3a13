import { DynamicModule, Global, Module } from '@nestjs/common';
import { EVENTS_CONFIG, loadEventsConfig } from './events-config';
import { RELAY_ENABLED, RelayService } from './relay/relay.service';

/** EVENTS_CONFIG for every module of event delivery, read once. */
@Global()
@Module({ providers: [{ provide: EVENTS_CONFIG, useFactory: () => loadEventsConfig() }], exports: [EVENTS_CONFIG] })
export class EventsConfigModule {}

/** The outbox relay candidate of this process (see OutboxRelay). */
@Module({})
export class EventRelayModule {
  static forRoot(options: { enabled?: boolean } = {}): DynamicModule {
    return {
      module: EventRelayModule,
      imports: [EventsConfigModule],
      providers: [{ provide: RELAY_ENABLED, useValue: options.enabled ?? true }, RelayService],
      exports: [RelayService],
    };
  }
}
