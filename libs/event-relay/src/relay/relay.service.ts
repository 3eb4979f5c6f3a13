import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { EVENTS_CONFIG, EventsConfig } from '../events-config';
import { createPublisher } from '../publishers/create-publisher';
import { RedisRelayWakes, relayWakeChannel } from '../wake/relay-wake';
import { OutboxRelay } from './outbox-relay';

export const RELAY_ENABLED = Symbol('RELAY_ENABLED');

/** Runs this process's relay candidate from bootstrap (after platform migrations) to shutdown. */
@Injectable()
export class RelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private relay?: OutboxRelay;

  constructor(
    @Inject(APP_CONFIG) private readonly app: AppConfig,
    @Inject(EVENTS_CONFIG) private readonly events: EventsConfig,
    @Inject(RELAY_ENABLED) private readonly enabled: boolean,
  ) {}

  get isLeader(): boolean {
    return this.relay?.isLeader ?? false;
  }

  /** Events committed in this process: the leader, if it is this process's relay, reads them now. */
  wake(): void {
    this.relay?.wake();
  }

  onApplicationBootstrap(): void {
    if (!this.enabled || !this.events.EVENTS_RELAY_ENABLED) return;
    const e = this.events;
    this.relay = new OutboxRelay({
      databaseUrl: this.app.DATABASE_URL,
      publisher: createPublisher(e, { url: this.app.REDIS_URL, prefix: this.app.REDIS_PREFIX }),
      batchSize: e.EVENTS_RELAY_BATCH_SIZE,
      pollMs: e.EVENTS_RELAY_POLL_MS,
      batchWindowMs: e.EVENTS_RELAY_BATCH_WINDOW_MS,
      wakes: new RedisRelayWakes(this.app.REDIS_URL, relayWakeChannel(this.app.REDIS_PREFIX)),
      leaderRetryMs: e.EVENTS_RELAY_LEADER_RETRY_MS,
      // The leader's upkeep is the transport's (stream trimming). Sent outbox rows and expired events
      // are purged by the retention platform job (libs/audit/src/retention), recorded like a tenant's run.
      maintenanceEveryMs: e.EVENTS_MAINTENANCE_EVERY_SECONDS * 1000,
    });
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }
}
