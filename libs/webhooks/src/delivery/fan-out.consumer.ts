import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { MessageHandler } from '@nestjs/microservices';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { CredenceCloudEvent, EVENT_SCHEMA_VERSION } from '@credence/contracts';
import { EVENTS_CONFIG, EventsConfig } from '@credence/event-relay';
import { RedisStreamsServer } from '@credence/redis-streams-transport';
import { WebhookFanOut } from './fan-out';

/**
 * How long the fan-out keeps trying to write an event's deliveries (the database or the queue away)
 * before it leaves the event to the transport, whose few quick retries end in the dead-letter stream.
 */
export const FAN_OUT_WAIT_MS = 300_000;

/**
 * The webhooks' consumer group on the event transport, like any service consuming Credence. A new
 * group starts at the end of the streams (subscriptions receive what happens after they exist). An
 * event is acked once its deliveries are written and queued; while they cannot be, it is tried again
 * for up to FAN_OUT_WAIT_MS (only its partition waits), then the transport retries and dead-letters it.
 */
@Injectable()
export class WebhookFanOutConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: RedisStreamsServer;
  private retry?: NodeJS.Timeout;
  private stopped = false;
  private warnedAt = 0;
  private readonly log = new Logger('WebhookFanOut');

  constructor(
    @Inject(APP_CONFIG) private readonly app: AppConfig,
    @Inject(EVENTS_CONFIG) private readonly events: EventsConfig,
    private readonly fanOut: WebhookFanOut,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.app.WEBHOOKS_ENABLED) return;
    if (this.events.EVENTS_TRANSPORT !== 'redis-streams') {
      this.log.warn(`webhooks read Redis Streams; EVENTS_TRANSPORT=${this.events.EVENTS_TRANSPORT} is not read (see docs/events.md)`);
      return;
    }
    void this.start(0);
  }

  private async start(attempt: number): Promise<void> {
    if (this.stopped) return;
    const handler = Object.assign((data: unknown) => this.fanOutWhenWritable(data as CredenceCloudEvent), { isEventHandler: true }) as unknown as MessageHandler;
    const server = new RedisStreamsServer({
      url: this.events.EVENTS_TRANSPORT_URL ?? this.app.REDIS_URL,
      prefix: this.app.REDIS_PREFIX,
      group: this.app.WEBHOOK_CONSUMER_GROUP,
      partitions: this.events.EVENTS_PARTITIONS,
      startFrom: '$',
    });
    for (const type of Object.keys(EVENT_SCHEMA_VERSION)) server.addHandler(type, handler, true);
    try {
      await new Promise<void>((resolve, reject) => server.listen((err?: unknown) => (err ? reject(err) : resolve())));
      this.server = server;
    } catch (err) {
      await server.close().catch(() => undefined);
      if (attempt === 0) this.log.warn(`cannot read events yet (${(err as Error).message}); retrying`);
      this.retry = setTimeout(() => void this.start(attempt + 1), Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)));
    }
  }

  /**
   * The transport's own retries are over within seconds (maxAttempts, backoff up to 2 s): an outage
   * of the database or the queue longer than that would dead-letter every event in hand, and no
   * webhook would get them. So the fan-out waits it out here first.
   */
  private async fanOutWhenWritable(event: CredenceCloudEvent): Promise<number> {
    const deadline = Date.now() + FAN_OUT_WAIT_MS;
    for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        return await this.fanOut.fanOut(event);
      } catch (err) {
        if (this.stopped || Date.now() + delay > deadline) throw err;
        if (Date.now() - this.warnedAt > 30_000) {
          this.warnedAt = Date.now();
          this.log.warn(`webhook deliveries cannot be written (${(err as Error).message}); trying again`);
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.server?.close();
  }
}
