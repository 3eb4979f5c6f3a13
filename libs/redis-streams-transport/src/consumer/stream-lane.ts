import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { decodeEntry } from '../entry-codec';
import { ensureGroup, isNoGroup, sleep } from '../redis-connection';
import { Delivery } from './entry-dispatcher';

export interface LaneOptions {
  stream: string;
  group: string;
  consumer: string;
  batchSize: number;
  blockMs: number;
  claimIdleMs: number;
  /** Where the group starts when the lane has to create it. */
  startFrom: string;
  /**
   * Ordered lanes (partitions) take over every pending entry of the stream before reading new ones,
   * waiting until the previous reader's entries are idle long enough; unordered ones claim idle
   * entries now and then while reading.
   */
  ordered: boolean;
  process(stream: string, deliveries: Delivery[]): Promise<void>;
}

/** Reads one stream for one consumer of a group, on a connection of its own (XREADGROUP blocks it). */
export class StreamLane {
  private stopping = false;
  private running?: Promise<void>;
  private lastClaim = 0;
  private readerId?: number;
  private readonly log = new Logger('StreamLane');

  constructor(
    private readonly reader: Redis,
    private readonly commands: Redis,
    private readonly o: LaneOptions,
  ) {}

  start(): void {
    this.running = this.run();
  }

  /** Finishes the batch in hand (handled and acked), then stops reading. */
  async stop(): Promise<void> {
    this.stopping = true;
    // A read blocked waiting for entries returns at once, empty, instead of after blockMs.
    if (this.readerId !== undefined) await this.commands.client('UNBLOCK', this.readerId).catch(() => undefined);
    await this.running;
    this.reader.disconnect();
  }

  /** Stops without waiting: the lease is gone, another instance may already be reading. */
  abandon(): void {
    this.stopping = true;
    this.reader.disconnect();
  }

  private async run(): Promise<void> {
    this.readerId = (await this.reader.client('ID').catch(() => undefined)) as number | undefined;
    let failures = 0;
    while (!this.stopping) {
      try {
        if (this.o.ordered) await this.takeOverPending();
        while (!this.stopping) {
          if (!this.o.ordered && Date.now() - this.lastClaim > this.o.claimIdleMs) await this.claimIdle();
          const res = (await this.reader.xreadgroup(
            'GROUP',
            this.o.group,
            this.o.consumer,
            'COUNT',
            this.o.batchSize,
            'BLOCK',
            this.o.blockMs,
            'STREAMS',
            this.o.stream,
            '>',
          )) as [string, [string, string[]][]][] | null;
          failures = 0;
          const entries = res?.[0]?.[1] ?? [];
          if (entries.length)
            await this.o.process(
              this.o.stream,
              entries.map((e) => ({ entry: decodeEntry(e), attempt: 1 })),
            );
        }
      } catch (err) {
        if (this.stopping) return;
        failures += 1;
        if (isNoGroup(err)) {
          // The stream or group vanished (Redis restarted without its data): read whatever is there now.
          await ensureGroup(this.commands, this.o.stream, this.o.group, '0').catch(() => undefined);
        } else if (failures === 1 || failures % 20 === 0) {
          this.log.warn(`reading ${this.o.stream} failed (${failures}x): ${(err as Error).message}`);
        }
        await sleep(Math.min(2_000, 50 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  /** Before reading new entries of a partition, handle everything still pending in the group, oldest first. */
  private async takeOverPending(): Promise<void> {
    while (!this.stopping) {
      const summary = (await this.commands.xpending(this.o.stream, this.o.group)) as [number, string | null, string | null, unknown];
      if (!summary[0]) return;
      const claimed = await this.claim(this.o.claimIdleMs);
      if (claimed.length) await this.o.process(this.o.stream, claimed);
      else await sleep(Math.max(50, Math.min(500, this.o.claimIdleMs / 4)));
    }
  }

  private async claimIdle(): Promise<void> {
    this.lastClaim = Date.now();
    const claimed = await this.claim(this.o.claimIdleMs);
    if (claimed.length) await this.o.process(this.o.stream, claimed);
  }

  /** XAUTOCLAIM everything idle for minIdle, in stream order, with each entry's delivery count. */
  private async claim(minIdle: number): Promise<Delivery[]> {
    const out: Delivery[] = [];
    let cursor = '0-0';
    do {
      const [next, entries] = (await this.commands.xautoclaim(this.o.stream, this.o.group, this.o.consumer, minIdle, cursor, 'COUNT', this.o.batchSize)) as [
        string,
        ([string, string[]] | null)[],
      ];
      cursor = next;
      const live = entries.filter((e): e is [string, string[]] => !!e);
      if (!live.length) continue;
      const counts = (await this.commands.xpending(this.o.stream, this.o.group, live[0][0], live[live.length - 1][0], live.length, this.o.consumer)) as [
        string,
        string,
        number,
        number,
      ][];
      const attempts = new Map(counts.map(([id, , , n]) => [id, n]));
      for (const e of live) out.push({ entry: decodeEntry(e), attempt: attempts.get(e[0]) ?? 2 });
    } while (cursor !== '0-0' && out.length < this.o.batchSize * 10);
    return out;
  }
}
