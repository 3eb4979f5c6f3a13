export interface RedisStreamsCommonOptions {
  /** redis:// URL. */
  url: string;
  /** Key prefix shared by publisher and consumers (Credence's REDIS_PREFIX). */
  prefix: string;
  /** Number of partition streams. Publisher and consumers must agree; default 16. */
  partitions?: number;
}

export interface RedisStreamsPublisherOptions extends RedisStreamsCommonOptions {
  /** Approximate cap on entries per partition stream (XADD MAXLEN ~). Default 1,000,000. */
  maxLen?: number;
  /** Entries older than this are trimmed (XTRIM MINID ~) by `trimByAge()`. Default 7 days. */
  maxAgeMs?: number;
  /** Default time to wait for an RPC answer. Default 5,000 ms. */
  rpcTimeoutMs?: number;
}

export interface RedisStreamsServerOptions extends RedisStreamsCommonOptions {
  /** Consumer group: one per consuming service; its instances share the load. */
  group: string;
  /** This instance's name inside the group; default host-pid-random. */
  consumer?: string;
  /** Entries read per partition per call. Default 200. */
  batchSize?: number;
  /** How long a read blocks waiting for new entries. Default 1,000 ms. */
  blockMs?: number;
  /** A partition lease lapses this long after its holder stops renewing it (i.e. dies). Default 10,000 ms. */
  leaseMs?: number;
  /** Pending entries of another consumer are claimed once idle this long. Default = leaseMs. */
  claimIdleMs?: number;
  /** Attempts (deliveries) before an entry goes to the dead-letter stream. Default 5. */
  maxAttempts?: number;
  /** First retry delay after a handler failure; doubles each time up to 2 s. Default 100 ms. */
  retryBackoffMs?: number;
  /** Where a new group starts reading: `$` (only new events, the default) or `0` (everything kept). */
  startFrom?: '$' | '0';
  /**
   * How long close() waits for batches in hand to be handled and acked, and leases released, before it
   * drops its connections (a stalled Redis answers none of that). Entries left unacked are delivered
   * again; leases lapse after leaseMs. Default 5,000 ms.
   */
  closeGraceMs?: number;
}

export const PUBLISHER_DEFAULTS = { partitions: 16, maxLen: 1_000_000, maxAgeMs: 7 * 24 * 3600_000, rpcTimeoutMs: 5_000 };
export const SERVER_DEFAULTS = {
  partitions: 16,
  batchSize: 200,
  blockMs: 1_000,
  leaseMs: 10_000,
  maxAttempts: 5,
  retryBackoffMs: 100,
  startFrom: '$' as '$' | '0',
  closeGraceMs: 5_000,
};

export type ResolvedServerOptions = Required<RedisStreamsServerOptions>;
