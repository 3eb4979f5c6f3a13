import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { StreamKeys } from '../stream-keys';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface LeaseCallbacks {
  acquired(partition: number): void;
  /** Resolves once nothing of the partition is in flight any more (handled and acked). */
  releasing(partition: number): Promise<void>;
  /** The lease was lost without a release (we were too slow to renew it): stop at once. */
  lost(partition: number): void;
}

/**
 * Which instance of a group reads which partition. Instances heartbeat into a sorted set; live
 * members, sorted by name, split the partitions round-robin. A partition is read only under its
 * lease (SET NX PX), so two instances never read one partition at once, which is what keeps an
 * aggregate's events in order. A dead instance's leases lapse after `leaseMs`.
 */
export class PartitionLeases {
  private readonly held = new Set<number>();
  private readonly releasing = new Set<number>();
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private readonly log = new Logger('PartitionLeases');

  constructor(
    private readonly redis: Redis,
    private readonly keys: StreamKeys,
    private readonly group: string,
    private readonly consumer: string,
    private readonly partitions: number,
    private readonly leaseMs: number,
    private readonly callbacks: LeaseCallbacks,
  ) {}

  start(): void {
    const loop = () => {
      this.ticking = this.tick()
        .catch((err: Error) => this.log.warn(`lease round failed: ${err.message}`))
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(loop, Math.max(100, Math.floor(this.leaseMs / 3)));
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  owned(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /** Stops renewing without a word to Redis (it does not answer): the leases lapse after leaseMs. */
  abandon(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  async stop(): Promise<void> {
    this.abandon();
    await this.ticking;
    await Promise.all([...this.held].map((p) => this.release(p)));
    await this.redis.zrem(this.keys.members(this.group), this.consumer).catch(() => undefined);
  }

  private async tick(): Promise<void> {
    const [sec, micro] = await this.redis.time();
    const now = Number(sec) * 1000 + Math.floor(Number(micro) / 1000);
    const membersKey = this.keys.members(this.group);
    await this.redis.zadd(membersKey, now, this.consumer);
    await this.redis.zremrangebyscore(membersKey, '-inf', now - this.leaseMs);
    const members = (await this.redis.zrange(membersKey, 0, -1)).sort();
    const me = members.indexOf(this.consumer);
    const wanted = new Set<number>();
    for (let p = 0; p < this.partitions; p++) if (me >= 0 && p % members.length === me) wanted.add(p);

    for (const p of [...this.held]) {
      const renewed = await this.redis.eval(RENEW, 1, this.keys.lease(this.group, p), this.consumer, this.leaseMs);
      if (renewed !== 1) {
        this.held.delete(p);
        this.callbacks.lost(p);
        continue;
      }
      if (!wanted.has(p) && !this.releasing.has(p)) void this.release(p);
    }
    for (const p of wanted) {
      if (this.held.has(p)) continue;
      const ok = await this.redis.set(this.keys.lease(this.group, p), this.consumer, 'PX', this.leaseMs, 'NX');
      if (ok === 'OK') {
        this.held.add(p);
        this.callbacks.acquired(p);
      }
    }
  }

  private async release(p: number): Promise<void> {
    if (this.releasing.has(p)) return;
    this.releasing.add(p);
    try {
      await this.callbacks.releasing(p);
      await this.redis.eval(RELEASE, 1, this.keys.lease(this.group, p), this.consumer);
    } finally {
      this.held.delete(p);
      this.releasing.delete(p);
    }
  }
}
