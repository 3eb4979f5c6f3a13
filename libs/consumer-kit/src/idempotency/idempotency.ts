import Redis from 'ioredis';

export interface IdempotencyOptions {
  /** Key prefix, e.g. `<service>:seen`. */
  prefix: string;
  /** How long a handled id is remembered; longer than the redelivery window. Default 7 days. */
  rememberSeconds?: number;
  /** How long a claim on an id in progress lives, so a crash mid-handling lets the redelivery run. Default 60 s. */
  inProgressSeconds?: number;
}

export class AlreadyInProgress extends Error {}

/**
 * Handle each event id once, although the transport delivers at least once. An id is claimed while
 * its handler runs and marked done after it succeeds; a failure or a crash releases it, so the
 * redelivery runs the handler again. A duplicate of a done id is skipped.
 */
export class Idempotency {
  constructor(
    private readonly redis: Redis,
    private readonly o: IdempotencyOptions,
  ) {}

  /** Runs `work` unless `id` was handled; returns false for a duplicate. Throws AlreadyInProgress when another delivery holds it. */
  async once(id: string, work: () => Promise<void>): Promise<boolean> {
    const key = `${this.o.prefix}:${id}`;
    const claimed = await this.redis.set(key, 'in-progress', 'EX', this.o.inProgressSeconds ?? 60, 'NX');
    if (claimed !== 'OK') {
      if ((await this.redis.get(key)) === 'done') return false;
      throw new AlreadyInProgress(`event ${id} is being handled by another delivery`);
    }
    try {
      await work();
    } catch (err) {
      await this.redis.del(key);
      throw err;
    }
    await this.redis.set(key, 'done', 'EX', this.o.rememberSeconds ?? 7 * 24 * 3600);
    return true;
  }
}
