import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { AuditRecord } from '../trail/audit-record';
import { AuditWriter, TrailNotReady } from './audit-writer';

interface Pending {
  record: AuditRecord;
  done: (err?: unknown) => void;
}

interface Lane {
  queue: Pending[];
  flushing: boolean;
}

/**
 * Group commit per trail: records arriving while a trail's transaction runs wait and go into the
 * next one together. Each caller's promise settles when its record is committed (or failed), so
 * the transport acks an event only once it is stored.
 */
@Injectable()
export class AuditBatcher {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly writer: AuditWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `trail` is a tenant id, or `platform`. */
  add(trail: string, record: AuditRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let lane = this.lanes.get(trail);
      if (!lane) this.lanes.set(trail, (lane = { queue: [], flushing: false }));
      lane.queue.push({ record, done: (err) => (err ? reject(err) : resolve()) });
      if (!lane.flushing) {
        lane.flushing = true;
        // Let the other handlers of this read batch enqueue first.
        setImmediate(() => void this.flush(trail, lane));
      }
    });
  }

  private async flush(trail: string, lane: Lane): Promise<void> {
    while (lane.queue.length) {
      const batch = lane.queue.splice(0, this.config.AUDIT_INGEST_BATCH_SIZE);
      try {
        await this.writer.write(
          trail,
          batch.map((p) => p.record),
        );
        for (const p of batch) p.done();
      } catch (err) {
        if (batch.length === 1 || err instanceof TrailNotReady) for (const p of batch) p.done(err);
        // One record the database refuses must not fail its batch-mates: write them one by one.
        else
          for (const p of batch)
            await this.writer.write(trail, [p.record]).then(
              () => p.done(),
              (e: unknown) => p.done(e),
            );
      }
    }
    lane.flushing = false;
    this.lanes.delete(trail);
  }
}
