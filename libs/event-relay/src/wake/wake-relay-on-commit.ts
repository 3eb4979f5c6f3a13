import { Inject } from '@nestjs/common';
import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { REDIS } from '@credence/redis';
import { EventsCommitted } from '@credence/tenancy';
import { RelayService } from '../relay/relay.service';
import { relayWakeChannel, RelayWakeSender } from './relay-wake';

/**
 * After a unit of work commits events (EventsCommitted, published once the commit returned), wakes
 * the relay leader: directly when it runs in this process, else over Redis (RelayWakeSender).
 */
@EventsHandler(EventsCommitted)
export class WakeRelayOnCommit implements IEventHandler<EventsCommitted> {
  private readonly sender: RelayWakeSender;

  constructor(
    private readonly relay: RelayService,
    @Inject(REDIS) redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.sender = new RelayWakeSender(redis, relayWakeChannel(config.REDIS_PREFIX));
  }

  handle(): void {
    if (this.relay.isLeader) this.relay.wake();
    else this.sender.signal();
  }
}
