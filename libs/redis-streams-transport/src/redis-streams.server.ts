import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import Redis from 'ioredis';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import { PartitionLeases } from './consumer/partition-leases';
import { Delivery, EntryDispatcher } from './consumer/entry-dispatcher';
import { StreamLane } from './consumer/stream-lane';
import { RpcResponder } from './rpc/rpc-responder';
import { RedisStreamsContext } from './redis-streams.context';
import { ResolvedServerOptions, RedisStreamsServerOptions, SERVER_DEFAULTS } from './redis-streams.options';
import { closeConnection, ensureGroup, transportConnection, within } from './redis-connection';
import { StreamKeys } from './stream-keys';

export const REDIS_STREAMS_TRANSPORT = Symbol('REDIS_STREAMS_TRANSPORT');

const MAX_CACHED_ROUTES = 1_000;

/**
 * Server side of the Redis Streams transport: a Nest custom transport strategy, so a consuming
 * service writes plain `@EventPattern('user.created')` and `@MessagePattern(...)` handlers.
 *
 * Events: at least once, in order per aggregate. A handler's success acks the entry; a failure is
 * retried, then dead-lettered; a dead instance's partitions and pending entries are taken over.
 */
export class RedisStreamsServer extends Server implements CustomTransportStrategy {
  override readonly transportId = REDIS_STREAMS_TRANSPORT;
  readonly options: ResolvedServerOptions;
  readonly keys: StreamKeys;
  private commands?: Redis;
  private leases?: PartitionLeases;
  private readonly lanes = new Map<string, StreamLane>();
  private dispatcher?: EntryDispatcher;
  private readonly routes = new Map<string, string>();

  constructor(options: RedisStreamsServerOptions) {
    super();
    const consumer = options.consumer ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    const leaseMs = options.leaseMs ?? SERVER_DEFAULTS.leaseMs;
    this.options = { ...SERVER_DEFAULTS, claimIdleMs: leaseMs, ...options, consumer, leaseMs } as ResolvedServerOptions;
    this.keys = new StreamKeys(options.prefix);
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (err) {
      callback(err);
    }
  }

  /**
   * Finishes the batches in hand and releases the leases, within closeGraceMs. Past it (a stalled
   * Redis answers nothing) the connections are dropped under them: what was not acked is delivered
   * again, and the leases lapse.
   */
  async close(): Promise<void> {
    // A Redis that cannot answer a PING within half a second will not answer the graceful close either.
    const answering = this.commands ? await within(this.commands.ping(), 500) : false;
    const graceful = answering ? this.closeGracefully() : Promise.resolve();
    if (!answering || !(await within(graceful, this.options.closeGraceMs))) {
      this.leases?.abandon();
      for (const lane of this.lanes.values()) lane.abandon();
      this.commands?.disconnect();
      await graceful.catch(() => undefined);
    }
    this.lanes.clear();
    this.commands = undefined;
  }

  private async closeGracefully(): Promise<void> {
    await this.leases?.stop();
    await Promise.all([...this.lanes.values()].map((l) => l.stop()));
    if (this.commands) await closeConnection(this.commands);
  }

  on(): void {
    /* connection errors are retried by the lanes and logged there */
  }

  unwrap<T>(): T {
    if (!this.commands) throw new Error('RedisStreamsServer is not listening');
    return this.commands as T;
  }

  /** Partitions this instance reads now (for tests and diagnostics). */
  ownedPartitions(): number[] {
    return this.leases?.owned() ?? [];
  }

  private async start(): Promise<void> {
    const o = this.options;
    const commands = (this.commands = transportConnection(o.url, `credence-consumer-${o.group}`, { maxRetriesPerRequest: 3 }));
    const handlers = [...this.getHandlers()];
    const rpcPatterns = handlers.filter(([, h]) => !h.isEventHandler).map(([p]) => p);
    const wantsEvents = handlers.some(([, h]) => h.isEventHandler);

    for (const pattern of rpcPatterns) {
      const stream = this.keys.rpcRequests(pattern);
      await ensureGroup(commands, stream, o.group, '$');
      const responder = new RpcResponder(
        commands,
        o.group,
        this.keys.rpcReplies(''),
        (p) => this.getHandlerByPattern(p),
        (v) => this.transformToObservable(v),
      );
      this.startLane(stream, false, (s, d) => responder.answer(s, pattern, d));
    }
    if (!wantsEvents) return;

    this.dispatcher = new EntryDispatcher(
      commands,
      { invoke: (s, d) => this.invoke(s, d) },
      {
        group: o.group,
        consumer: o.consumer,
        maxAttempts: o.maxAttempts,
        retryBackoffMs: o.retryBackoffMs,
        deadLetterStream: this.keys.deadLetters(o.group),
      },
    );
    for (let p = 0; p < o.partitions; p++) await ensureGroup(commands, this.keys.partition(p), o.group, o.startFrom);
    const redrive = this.keys.redrive(o.group);
    await ensureGroup(commands, redrive, o.group, '0');
    this.startLane(redrive, false, (s, d) => this.dispatcher!.dispatch(s, d));

    this.leases = new PartitionLeases(commands, this.keys, o.group, o.consumer, o.partitions, o.leaseMs, {
      acquired: (p) => this.startLane(this.keys.partition(p), true, (s, d) => this.dispatcher!.dispatch(s, d)),
      releasing: async (p) => {
        const lane = this.lanes.get(this.keys.partition(p));
        this.lanes.delete(this.keys.partition(p));
        await lane?.stop();
      },
      lost: (p) => {
        this.lanes.get(this.keys.partition(p))?.abandon();
        this.lanes.delete(this.keys.partition(p));
      },
    });
    this.leases.start();
  }

  private startLane(stream: string, ordered: boolean, process: (stream: string, d: Delivery[]) => Promise<void>): void {
    const o = this.options;
    const reader = transportConnection(o.url, `credence-consumer-${o.group}-reader`, { maxRetriesPerRequest: 3 });
    const lane = new StreamLane(reader, this.commands!, {
      stream,
      group: o.group,
      consumer: o.consumer,
      batchSize: o.batchSize,
      blockMs: o.blockMs,
      claimIdleMs: o.claimIdleMs,
      startFrom: o.startFrom,
      ordered,
      process,
    });
    this.lanes.set(stream, lane);
    lane.start();
  }

  /**
   * Nest first tries each pattern as JSON, and an event type ('auth.login.succeeded') is not JSON:
   * the thrown SyntaxError per entry cost about 5 % of audit ingest. Routes are remembered per
   * pattern (event types are few; past MAX_CACHED_ROUTES they are worked out every time).
   */
  override getRouteFromPattern(pattern: string): string {
    let route = this.routes.get(pattern);
    if (route === undefined) {
      route = super.getRouteFromPattern(pattern);
      if (this.routes.size < MAX_CACHED_ROUTES) this.routes.set(pattern, route);
    }
    return route;
  }

  /** Runs the @EventPattern handler(s); rejects when one failed. An event nobody handles is done. */
  private async invoke(stream: string, { entry, attempt }: Delivery): Promise<boolean> {
    const handler = this.getHandlerByPattern(entry.pattern);
    if (!handler?.isEventHandler) return false;
    const data: unknown = JSON.parse(entry.data);
    const ctx = new RedisStreamsContext([stream, entry.id, attempt, entry.pattern]);
    await lastValueFrom(this.transformToObservable(await handler(data, ctx)), { defaultValue: undefined });
    return true;
  }
}
