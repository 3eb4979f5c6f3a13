import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { MessageHandler } from '@nestjs/microservices';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { CredenceCloudEvent, EVENT_SCHEMA_VERSION, PLATFORM_TENANT_ID } from '@credence/contracts';
import { EVENTS_CONFIG, EventsConfig } from '@credence/event-relay';
import { RedisStreamsServer, RedisStreamsServerOptions } from '@credence/redis-streams-transport';
import { AuditMetrics } from '../audit-metrics';
import { classifyEvent, UnauditableEvent } from '../trail/classify-event';
import { AuditRecord } from '../trail/audit-record';
import { AuditBatcher } from './audit-batcher';
import { TrailNotReady } from './audit-writer';

const TRAIL_WAIT_MS = 120_000;

/**
 * The trails an event belongs to: its tenant's (or the platform's, for events without a tenant).
 * Tenant lifecycle events are platform administration, so the platform trail keeps them too, and
 * they outlive the tenant's own trail when its schema is purged. An event whose data names another
 * tenant than its envelope is refused (and so dead-lettered): neither trail can be the right one.
 */
export function trailsOf(event: CredenceCloudEvent): string[] {
  const tenant = typeof event.tenantid === 'string' && event.tenantid ? event.tenantid : PLATFORM_TENANT_ID;
  const named = event.data?.tenant_id;
  if (typeof named === 'string' && named.toLowerCase() !== tenant.toLowerCase()) {
    throw new UnauditableEvent(`event ${event.id} is for tenant ${tenant} but its data names tenant ${named}`);
  }
  return tenant !== PLATFORM_TENANT_ID && event.type?.startsWith('tenant.') ? [tenant, PLATFORM_TENANT_ID] : [tenant];
}

/** Reads every event type, including ones this build does not know yet. */
class EveryEventServer extends RedisStreamsServer {
  constructor(
    options: RedisStreamsServerOptions,
    private readonly fallback: MessageHandler,
  ) {
    super(options);
  }

  override getHandlerByPattern(pattern: string): MessageHandler | null {
    return super.getHandlerByPattern(pattern) ?? this.fallback;
  }
}

/**
 * The audit trail's consumer: a consumer group of its own on the event transport, like any service
 * consuming Credence. A new group starts from the oldest event the streams keep, so a trail set up
 * later still receives what is there. An event is acked once its record is committed.
 */
@Injectable()
export class AuditIngestConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: RedisStreamsServer;
  private retry?: NodeJS.Timeout;
  private stopped = false;
  private readonly warned = new Map<string, number>();
  private readonly log = new Logger('AuditIngest');

  constructor(
    @Inject(APP_CONFIG) private readonly app: AppConfig,
    @Inject(EVENTS_CONFIG) private readonly events: EventsConfig,
    private readonly batcher: AuditBatcher,
    private readonly metrics: AuditMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.app.AUDIT_INGEST_ENABLED) return;
    if (this.events.EVENTS_TRANSPORT !== 'redis-streams') {
      this.log.warn(`audit ingest reads Redis Streams; EVENTS_TRANSPORT=${this.events.EVENTS_TRANSPORT} is not read (see docs/events.md)`);
      return;
    }
    void this.start(0);
  }

  /** Stores one delivered event; rejects (so the transport retries) when it could not be committed. */
  async ingest(event: CredenceCloudEvent): Promise<void> {
    const record = classifyEvent(event);
    const timer = this.metrics.ingestSeconds.startTimer();
    try {
      await Promise.all(trailsOf(event).map((trail) => this.addWhenReady(trail, record)));
    } finally {
      timer();
    }
  }

  /**
   * A tenant whose migrations are behind this build (a rolling deploy before `npm run migrate`)
   * cannot store yet: wait for it, up to TRAIL_WAIT_MS, rather than spending the transport's few
   * retries and dead-lettering the event. Only this aggregate waits; the others go on.
   */
  private async addWhenReady(trail: string, record: AuditRecord): Promise<void> {
    const deadline = Date.now() + TRAIL_WAIT_MS;
    for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        return await this.batcher.add(trail, { ...record });
      } catch (err) {
        if (!(err instanceof TrailNotReady) || Date.now() + delay > deadline || this.stopped) throw err;
        if (Date.now() - (this.warned.get(trail) ?? 0) > 30_000) {
          this.warned.set(trail, Date.now());
          this.log.warn(`${err.message}: holding its events until it is migrated (npm run migrate)`);
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async start(attempt: number): Promise<void> {
    if (this.stopped) return;
    const handler = Object.assign((data: unknown) => this.ingest(data as CredenceCloudEvent), { isEventHandler: true }) as unknown as MessageHandler;
    const server = new EveryEventServer(
      {
        url: this.events.EVENTS_TRANSPORT_URL ?? this.app.REDIS_URL,
        prefix: this.app.REDIS_PREFIX,
        group: this.app.AUDIT_CONSUMER_GROUP,
        partitions: this.events.EVENTS_PARTITIONS,
        startFrom: '0',
        // Larger reads make larger group commits; order per aggregate is kept by the dispatcher either way.
        batchSize: 1000,
      },
      handler,
    );
    for (const type of Object.keys(EVENT_SCHEMA_VERSION)) server.addHandler(type, handler, true);
    try {
      await new Promise<void>((resolve, reject) => server.listen((err?: unknown) => (err ? reject(err) : resolve())));
      this.server = server;
      this.log.log(`auditing events as consumer group ${this.app.AUDIT_CONSUMER_GROUP}`);
    } catch (err) {
      await server.close().catch(() => undefined);
      if (attempt === 0) this.log.warn(`cannot read events yet (${(err as Error).message}); retrying`);
      this.retry = setTimeout(() => void this.start(attempt + 1), Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.server?.close();
  }
}
