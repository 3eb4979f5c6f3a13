import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { OutboxEvent, RelayPublisher } from '../publishers/relay-publisher';
import { RelayWakes } from '../wake/relay-wake';
import { MARK_SENT_AND_NEXT, NEXT_BATCH, RELAY_LOCK, TRY_LEAD } from './relay-queries';

const delay = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms).unref());

export interface RelayOptions {
  databaseUrl: string;
  publisher: RelayPublisher;
  batchSize: number;
  pollMs: number;
  /**
   * While events keep coming in batches smaller than batchSize, the leader marks a batch (and reads
   * the next) no sooner than this many ms after its previous read began, so one round trip to
   * Postgres and one to the transport carry every commit of that window. 0 reads again at once.
   */
  batchWindowMs: number;
  leaderRetryMs: number;
  maintenanceEveryMs: number;
  /** Wakes from other processes (after their commits); without it, the leader finds their events by polling. */
  wakes?: RelayWakes;
  /** Upkeep only the leader does on the leader's connection, besides the publisher's own (stream trimming). */
  maintain?(client: Client): Promise<void>;
  /** How long stop() lets a publish in flight finish before closing the publisher under it. Default 2,000 ms. */
  stopGraceMs?: number;
}

/**
 * Moves events from platform.outbox to the transport. Every process runs a candidate; the one
 * holding a session advisory lock leads and does all the work on that same connection, so if the
 * process or its connection dies the lock goes with it and another candidate takes over within
 * leaderRetryMs. Publish first, then mark sent: a crash in between republishes (same ids), never loses.
 * The leader reads when woken (wake(): a commit in this process, or one elsewhere through `wakes`),
 * every pollMs otherwise, and at once again while its reads find rows.
 */
export class OutboxRelay {
  private stopped = false;
  private running?: Promise<void>;
  private interrupt?: () => void;
  private endHold?: () => void;
  /** A wake arrived since the leader last started a read: that read may have missed its commit. */
  private woken = false;
  private client?: Client;
  private leading = false;
  private lastMaintenance = 0;
  private readonly log = new Logger('OutboxRelay');

  constructor(private readonly o: RelayOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.running = this.run();
  }

  /** Events committed: the leader reads the outbox now rather than at its next poll. A no-op unless leading. */
  wake(): void {
    if (!this.leading) return;
    this.woken = true;
    this.interrupt?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.interrupt?.();
    this.endHold?.();
    await this.client?.end().catch(() => undefined);
    // A publish to a stalled transport would hold shutdown for as long as the stall lasts. Past the
    // grace the publisher is closed under it: the batch stays unmarked, and the next leader sends it.
    const finished = await Promise.race([this.running?.then(() => true), delay(this.o.stopGraceMs ?? 2_000, false)]);
    await this.o.wakes?.close().catch(() => undefined);
    await this.o.publisher.close().catch(() => undefined);
    if (!finished) await this.running;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const client = (this.client = new Client({ connectionString: this.o.databaseUrl, application_name: 'credence-relay', keepAlive: true }));
      client.on('error', () => this.interrupt?.()); // the loop notices the broken connection on its next query
      try {
        await client.connect();
        while (!this.stopped && !(await client.query(TRY_LEAD, [RELAY_LOCK])).rows[0].leader) await this.pause(this.o.leaderRetryMs);
        if (!this.stopped) await this.lead(client);
        failures = 0;
      } catch (err) {
        if (!this.stopped) {
          failures += 1;
          this.log.warn(`relay connection failed: ${(err as Error).message}`);
        }
      } finally {
        this.leading = false;
        this.woken = false;
        this.o.wakes?.unlisten();
        await client.end().catch(() => undefined);
      }
      if (!this.stopped) await this.pause(Math.min(10_000, 200 * 2 ** Math.min(failures, 6)));
    }
  }

  private async lead(client: Client): Promise<void> {
    this.leading = true;
    this.log.log('leading the outbox relay');
    this.o.wakes?.listen(() => this.wake());
    let failures = 0;
    let rows: OutboxEvent[] = [];
    let marked = false;
    let readAt = 0;
    while (!this.stopped) {
      await this.maybeMaintain(client);
      if (!rows.length) {
        // The mark's own read of the next batch found nothing as of every commit woken for before it:
        // reading again before the next wake (or the poll) would find nothing either.
        if (marked) await this.pause(this.o.pollMs);
        marked = false;
        this.woken = false; // the query below sees every commit whose wake came so far
        readAt = Date.now();
        rows = (await client.query<OutboxEvent>(NEXT_BATCH, [this.o.batchSize])).rows;
        if (!rows.length) {
          await this.pause(this.o.pollMs);
          continue;
        }
      }
      try {
        await this.o.publisher.publish(rows);
        failures = 0;
      } catch (err) {
        failures += 1;
        if (failures === 1 || failures % 10 === 0) this.log.warn(`publishing ${rows.length} events failed (${failures}x), retrying: ${(err as Error).message}`);
        await this.pause(Math.min(30_000, 100 * 2 ** Math.min(failures, 9)));
        rows = []; // read again: the same rows, plus whatever committed meanwhile
        marked = false;
        continue;
      }
      if (rows.length < this.o.batchSize) await this.holdUntil(readAt + this.o.batchWindowMs);
      this.woken = false;
      readAt = Date.now();
      rows = (await client.query<OutboxEvent>(MARK_SENT_AND_NEXT, [rows.map((r) => r.position), this.o.batchSize])).rows;
      marked = true;
    }
  }

  private async maybeMaintain(client: Client): Promise<void> {
    if (Date.now() - this.lastMaintenance < this.o.maintenanceEveryMs) return;
    this.lastMaintenance = Date.now();
    try {
      await this.o.maintain?.(client);
      await this.o.publisher.maintain?.();
    } catch (err) {
      this.log.warn(`relay maintenance failed: ${(err as Error).message}`);
    }
  }

  /** Sleeps until `at` (epoch ms) or stop(); wakes do not cut it short. */
  private holdUntil(at: number): Promise<void> {
    const ms = at - Date.now();
    if (ms <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.endHold = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.endHold = done;
    });
  }

  /** Sleeps until the timeout, a wake, or stop(). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.woken) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.interrupt = done;
    });
  }
}
