import Redis from 'ioredis';

/**
 * Waking the relay leader when events commit, without NOTIFY. A transaction that has run NOTIFY takes
 * a database-wide lock at commit and holds it through its WAL flush (PreCommit_Notify), so every
 * notifying commit of the database waited for the one before it to reach the disk: no group commit.
 * The wake is sent after the commit instead, and is only a hint: a wake that never arrives costs at
 * most EVENTS_RELAY_POLL_MS, because the leader polls the outbox as well.
 */
export function relayWakeChannel(redisPrefix: string): string {
  return `${redisPrefix}:events:outbox-wake`;
}

/**
 * Publishes wakes on the channel, fire and forget, at most one at a time: a signal while one is in
 * flight asks for one more after it, so the last wake always leaves after the last signal's commit.
 */
export class RelayWakeSender {
  private state: 'idle' | 'sending' | 'again' = 'idle';

  constructor(
    private readonly redis: Redis,
    private readonly channel: string,
  ) {}

  signal(): void {
    if (this.state !== 'idle') {
      this.state = 'again';
      return;
    }
    this.state = 'sending';
    this.send();
  }

  private send(): void {
    void this.redis
      .publish(this.channel, '')
      .catch(() => undefined) // Redis down: the leader's poll picks the events up
      .finally(() => {
        if (this.state === 'again') {
          this.state = 'sending';
          this.send();
        } else this.state = 'idle';
      });
  }
}

/** What the leader listens to while it leads (OutboxRelay): `wake` on every message, and once subscribed. */
export interface RelayWakes {
  listen(wake: () => void): void;
  unlisten(): void;
  close(): Promise<void>;
}

/**
 * The leader's subscription to the wake channel, on a connection of its own (a subscribed connection
 * can do nothing else). Subscribing never holds the relay up: it wakes the relay once the subscription
 * is in place (and again after every reconnection), which covers commits whose wake went out before.
 */
export class RedisRelayWakes implements RelayWakes {
  private sub?: Redis;
  private wake?: () => void;

  constructor(
    private readonly redisUrl: string,
    private readonly channel: string,
  ) {}

  listen(wake: () => void): void {
    this.wake = wake;
    if (!this.sub) {
      this.sub = new Redis(this.redisUrl, { connectionName: 'credence-relay-wake', maxRetriesPerRequest: null, lazyConnect: true });
      this.sub.on('error', () => undefined); // ioredis reconnects and resubscribes by itself
      this.sub.on('message', () => this.wake?.());
      // 'ready' comes after ioredis has resubscribed on a reconnection; wakes sent while it was away are lost.
      this.sub.on('ready', () => this.wake?.());
      this.sub.connect().catch(() => undefined);
    }
    this.sub.subscribe(this.channel).then(
      () => this.wake?.(),
      () => undefined,
    );
  }

  unlisten(): void {
    this.wake = undefined;
    this.sub?.unsubscribe(this.channel).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.wake = undefined;
    this.sub?.disconnect();
    this.sub = undefined;
  }
}
