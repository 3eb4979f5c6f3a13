import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { EVENTS_CONFIG } from './events-config';
import { RELAY_ENABLED, RelayService } from './relay/relay.service';
import { WakeRelayOnCommit } from './wake/wake-relay-on-commit';

/** EVENTS_CONFIG for every module of event delivery: the events part of the config validated at boot. */
@Global()
@Module({ providers: [{ provide: EVENTS_CONFIG, inject: [APP_CONFIG], useFactory: (config: AppConfig) => config }], exports: [EVENTS_CONFIG] })
export class EventsConfigModule {}

/** The outbox relay candidate of this process (see OutboxRelay), and the wake-up after this process's commits. */
@Module({})
export class EventRelayModule {
  static forRoot(options: { enabled?: boolean } = {}): DynamicModule {
    return {
      module: EventRelayModule,
      imports: [EventsConfigModule],
      providers: [{ provide: RELAY_ENABLED, useValue: options.enabled ?? true }, RelayService, WakeRelayOnCommit],
      exports: [RelayService],
    };
  }
}
