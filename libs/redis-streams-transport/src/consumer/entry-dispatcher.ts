import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { StreamEntry } from '../entry-codec';
import { sleep } from '../redis-connection';

export interface Delivery {
  entry: StreamEntry;
  /** 1 on first delivery; Redis' delivery counter for claimed entries. */
  attempt: number;
}

export interface DispatchTarget {
  /** Runs the handler for the entry; resolves when it is done, rejects when it failed. False when no handler exists. */
  invoke(stream: string, delivery: Delivery): Promise<boolean>;
}

export interface DispatchOptions {
  group: string;
  consumer: string;
  maxAttempts: number;
  retryBackoffMs: number;
  deadLetterStream: string;
}

/**
 * Runs a batch read from one stream: entries with the same key (aggregate) one after another in
 * stream order, different keys side by side. A failed entry is retried in place, so later entries
 * of its aggregate wait for it; after maxAttempts it goes to the dead-letter stream with the error
 * and the aggregate moves on. Every handled or dead-lettered entry is acked in one XACK.
 */
export class EntryDispatcher {
  private readonly log = new Logger('RedisStreamsConsumer');

  constructor(
    private readonly redis: Redis,
    private readonly target: DispatchTarget,
    private readonly options: DispatchOptions,
  ) {}

  async dispatch(stream: string, deliveries: Delivery[]): Promise<void> {
    const chains = new Map<string, Delivery[]>();
    for (const d of deliveries) {
      const chain = chains.get(d.entry.key);
      if (chain) chain.push(d);
      else chains.set(d.entry.key, [d]);
    }
    const done: string[] = [];
    await Promise.all(
      [...chains.values()].map(async (chain) => {
        for (const d of chain) {
          await this.runWithRetries(stream, d);
          done.push(d.entry.id);
        }
      }),
    );
    if (done.length) await this.redis.xack(stream, this.options.group, ...done);
  }

  private async runWithRetries(stream: string, delivery: Delivery): Promise<void> {
    let attempt = delivery.attempt;
    for (;;) {
      try {
        await this.target.invoke(stream, { entry: delivery.entry, attempt });
        return;
      } catch (err) {
        if (attempt >= this.options.maxAttempts) {
          await this.deadLetter(stream, delivery.entry, err, attempt);
          return;
        }
        await sleep(Math.min(2_000, this.options.retryBackoffMs * 2 ** (attempt - 1)));
        // Claiming the entry to ourselves bumps Redis' delivery counter, so the count survives a crash.
        await this.redis.xclaim(stream, this.options.group, this.options.consumer, 0, delivery.entry.id);
        attempt += 1;
      }
    }
  }

  private async deadLetter(stream: string, entry: StreamEntry, err: unknown, attempts: number): Promise<void> {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : (JSON.stringify(err) ?? String(err));
    this.log.warn(`dead-lettering ${stream} ${entry.id} (${entry.pattern}) after ${attempts} attempts: ${error}`);
    await this.redis.xadd(
      this.options.deadLetterStream,
      'MAXLEN',
      '~',
      100_000,
      '*',
      'stream',
      stream,
      'entry',
      entry.id,
      'p',
      entry.pattern,
      'k',
      entry.key,
      'd',
      entry.data,
      'error',
      error.slice(0, 2000),
      'attempts',
      String(attempts),
      'failed_at',
      new Date().toISOString(),
    );
  }
}
