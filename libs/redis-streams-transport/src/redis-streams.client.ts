import { Logger } from '@nestjs/common';
import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { entryFields } from './entry-codec';
import { RedisStreamsPublisherOptions, PUBLISHER_DEFAULTS } from './redis-streams.options';
import { closeConnection, isNoGroup, transportConnection } from './redis-connection';
import { partitionOf, StreamKeys } from './stream-keys';

export interface OutgoingEvent {
  pattern: string;
  /** Partition key: the aggregate (CloudEvents `subject`). Events with one key keep their order. */
  key: string;
  /** Serialized data (the CloudEvent envelope as JSON text). */
  data: string;
}

type Resolved = Required<RedisStreamsPublisherOptions>;

/**
 * Publishing side of the Redis Streams transport, as a Nest ClientProxy:
 * `emit(type, cloudEvent)` appends to the aggregate's partition stream; `send(pattern, data)` is a
 * request answered by a RedisStreamsServer through this client's reply stream.
 */
export class RedisStreamsClient extends ClientProxy {
  readonly keys: StreamKeys;
  private readonly opts: Resolved;
  private redis?: Redis;
  private replies?: Redis;
  private readonly clientId = randomUUID();
  private readonly waiting = new Map<string, { callback: (p: WritePacket) => void; timer: NodeJS.Timeout }>();
  private listening?: Promise<void>;
  private closed = false;
  private readonly log = new Logger('RedisStreamsClient');

  constructor(options: RedisStreamsPublisherOptions) {
    super();
    this.opts = { ...PUBLISHER_DEFAULTS, ...options } as Resolved;
    this.keys = new StreamKeys(options.prefix);
  }

  get partitions(): number {
    return this.opts.partitions;
  }

  async connect(): Promise<Redis> {
    this.redis ??= transportConnection(this.opts.url, 'credence-events-publisher');
    return this.redis;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [, w] of this.waiting) clearTimeout(w.timer);
    this.waiting.clear();
    const conns = [this.redis, this.replies].filter((c): c is Redis => !!c);
    this.redis = this.replies = undefined;
    await Promise.all(conns.map((c) => closeConnection(c)));
  }

  unwrap<T>(): T {
    if (!this.redis) throw new Error('RedisStreamsClient is not connected');
    return this.redis as T;
  }

  override on(): void {
    /* errors surface as rejected publishes */
  }

  /**
   * Appends events atomically per partition (MULTI/EXEC): either a partition's whole share of the
   * batch is appended or none of it, so a retried batch never reorders one aggregate's events.
   */
  async publishBatch(events: OutgoingEvent[]): Promise<void> {
    const redis = await this.connect();
    const byPartition = new Map<number, OutgoingEvent[]>();
    for (const e of events) {
      const p = partitionOf(e.key, this.opts.partitions);
      const list = byPartition.get(p) ?? [];
      list.push(e);
      byPartition.set(p, list);
    }
    // Each partition's MULTI is written as the map below runs: corked, they leave in one socket write
    // (a relay batch spans several partitions; a write each cost more CPU than building them).
    redis.stream?.cork();
    const appended = Promise.all(
      [...byPartition].map(async ([p, list]) => {
        const stream = this.keys.partition(p);
        // One entry needs no transaction around it: one command instead of MULTI, XADD, EXEC.
        if (list.length === 1) return void (await redis.xadd(stream, 'MAXLEN', '~', this.opts.maxLen, '*', ...entryFields(list[0].pattern, list[0].key, list[0].data)));
        const multi = redis.multi();
        for (const e of list) multi.xadd(stream, 'MAXLEN', '~', this.opts.maxLen, '*', ...entryFields(e.pattern, e.key, e.data));
        const results = await multi.exec();
        const failed = results?.find(([err]) => err);
        if (!results || failed) throw failed?.[0] ?? new Error(`publishing to ${stream} was aborted`);
      }),
    );
    redis.stream?.uncork();
    await appended;
  }

  /** Drops entries older than maxAgeMs from every partition (approximately, as Redis trims whole nodes). */
  async trimByAge(now = Date.now()): Promise<void> {
    const redis = await this.connect();
    const minId = `${Math.max(0, now - this.opts.maxAgeMs)}-0`;
    await Promise.all(Array.from({ length: this.opts.partitions }, (_, p) => redis.xtrim(this.keys.partition(p), 'MINID', '~', minId)));
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const pattern = this.normalizePattern(packet.pattern);
    const data = packet.data as { subject?: unknown } | undefined;
    const key = typeof data?.subject === 'string' ? data.subject : pattern;
    await this.publishBatch([{ pattern, key, data: JSON.stringify(packet.data ?? null) }]);
    return undefined as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const id = randomUUID();
    const pattern = this.normalizePattern(packet.pattern);
    const deadline = Date.now() + this.opts.rpcTimeoutMs;
    const timer = setTimeout(() => this.answer(id, { err: `no answer to ${pattern} within ${this.opts.rpcTimeoutMs} ms`, isDisposed: true }), this.opts.rpcTimeoutMs);
    this.waiting.set(id, { callback, timer });
    void (async () => {
      const redis = await this.connect();
      await this.listenForReplies();
      await redis.xadd(
        this.keys.rpcRequests(pattern),
        'MAXLEN',
        '~',
        10_000,
        '*',
        'c',
        id,
        'r',
        this.keys.rpcReplies(this.clientId),
        'x',
        String(deadline),
        'd',
        JSON.stringify(packet.data ?? null),
      );
    })().catch((err: Error) => this.answer(id, { err: err.message, isDisposed: true }));
    return () => this.forget(id);
  }

  private answer(id: string, packet: WritePacket): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.forget(id);
    w.callback(packet);
  }

  private forget(id: string): void {
    const w = this.waiting.get(id);
    if (w) clearTimeout(w.timer);
    this.waiting.delete(id);
  }

  /** One blocking reader per client for all its answers; started before the first request is sent. */
  private listenForReplies(): Promise<void> {
    if (this.listening) return this.listening;
    const replies = (this.replies = transportConnection(this.opts.url, 'credence-rpc-replies', { maxRetriesPerRequest: null }));
    const stream = this.keys.rpcReplies(this.clientId);
    this.listening = (async () => {
      // The last id before any request exists; every answer arrives after it.
      let last = (await replies.xrevrange(stream, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
      void (async () => {
        while (!this.closed) {
          try {
            const res = await replies.xread('COUNT', 500, 'BLOCK', 1_000, 'STREAMS', stream, last);
            for (const [, entries] of res ?? []) {
              for (const [entryId, fields] of entries) {
                last = entryId;
                const f = Object.fromEntries(fields.reduce<[string, string][]>((acc, v, i, arr) => (i % 2 ? acc : [...acc, [v, arr[i + 1]]]), []));
                this.answer(f.c, { ...(JSON.parse(f.w) as WritePacket), isDisposed: true });
              }
            }
          } catch (err) {
            if (this.closed) return;
            if (!isNoGroup(err)) this.log.warn(`reading RPC answers failed: ${(err as Error).message}`);
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      })();
    })();
    return this.listening;
  }
}
