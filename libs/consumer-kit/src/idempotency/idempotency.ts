import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';

export interface IdempotencyOptions {
  /** Key prefix, e.g. `<service>:seen`. */
  prefix: string;
  /** How long a handled id is remembered; longer than the redelivery window. Default 7 days. */
  rememberSeconds?: number;
  /** How long a claim on an id in progress lives, so a crash mid-handling lets the redelivery run. Default 60 s. */
  inProgressSeconds?: number;
}

/** How often a delivery waiting for another's claim looks again. */
const CLAIM_POLL_MS = 200;

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Handle each event id once, although the transport delivers at least once. An id is claimed while
 * its handler runs and marked done after it succeeds; a failure releases it, so the redelivery runs
 * the handler again. A duplicate of a done id is skipped. A delivery that finds the id claimed waits
 * until the claim is done (a duplicate) or gone: released after a failure, or lapsed after
 * inProgressSeconds because its holder died. Failing instead would spend the transport's few quick
 * retries on a claim that outlives them, and dead-letter the event a crash left unhandled.
 */
export class Idempotency {
  constructor(
    private readonly redis: Redis,
    private readonly o: IdempotencyOptions,
  ) {}

  /** Runs `work` unless `id` was handled; returns false for a duplicate. */
  async once(id: string, work: () => Promise<void>): Promise<boolean> {
    const key = `${this.o.prefix}:${id}`;
    const claim = `in-progress:${randomUUID()}`;
    while ((await this.redis.set(key, claim, 'EX', this.o.inProgressSeconds ?? 60, 'NX')) !== 'OK') {
      if ((await this.redis.get(key)) === 'done') return false;
      await new Promise((r) => setTimeout(r, CLAIM_POLL_MS));
    }
    try {
      await work();
    } catch (err) {
      // Only our own claim: past inProgressSeconds another delivery may hold the id.
      await this.redis.eval(RELEASE, 1, key, claim);
      throw err;
    }
    await this.redis.set(key, 'done', 'EX', this.o.rememberSeconds ?? 7 * 24 * 3600);
    return true;
  }
}
