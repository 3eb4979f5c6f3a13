import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { DomainError } from '@credence/errors';
import { JOBS, QUEUES } from '@credence/queues';
import { manualRunId, RetentionSweepJob, SCHEDULER_ID, sweepJobId } from './retention-jobs';

export interface TriggeredRun {
  run_id: string;
  as_of: string;
  tenant_ids: string[] | null;
  platform: boolean;
}

/** Bounds a Redis call: with Redis out of reach BullMQ would wait forever. */
async function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`queue did not answer in ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}

/**
 * The retention schedule: one BullMQ job scheduler (so one sweep every RETENTION_EVERY_SECONDS
 * across all processes), upserted at boot when RETENTION_ENABLED, removed at boot when not.
 * Also starts a run on demand (the admin API).
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(RetentionScheduler.name);

  constructor(
    @InjectQueue(QUEUES.retention) private readonly queue: Queue<RetentionSweepJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      if (this.config.RETENTION_ENABLED) {
        await bounded(this.queue.upsertJobScheduler(SCHEDULER_ID, { every: this.config.RETENTION_EVERY_SECONDS * 1000 }, { name: JOBS.retentionSweep, data: {} }), 5_000);
      } else if (await bounded(this.queue.removeJobScheduler(SCHEDULER_ID), 5_000)) {
        this.logger.log('RETENTION_ENABLED is false: the retention schedule was removed');
      }
    } catch (err) {
      // Boot goes on; the next process start (or this one's restart) sets the schedule.
      this.logger.warn({ err: (err as Error).message }, 'retention schedule not updated');
    }
  }

  /** Queues a sweep now. `asOf` (never in the future) is the instant the cutoffs are measured from. */
  async trigger(options: { asOf?: Date; tenantIds?: string[]; platform?: boolean } = {}): Promise<TriggeredRun> {
    const now = new Date();
    const asOf = options.asOf ?? now;
    if (asOf.getTime() > now.getTime()) {
      throw new DomainError('validation.failed', undefined, [{ field: 'as_of', issue: 'as_of must not be in the future' }]);
    }
    const runId = manualRunId(now);
    const platform = options.platform ?? !options.tenantIds;
    const data: RetentionSweepJob = { runId, asOf: asOf.toISOString(), tenantIds: options.tenantIds, platform };
    try {
      await bounded(this.queue.add(JOBS.retentionSweep, data, { jobId: sweepJobId(runId) }), 2_000);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'retention run not queued');
      throw new DomainError('service.unavailable');
    }
    return { run_id: runId, as_of: data.asOf!, tenant_ids: options.tenantIds ?? null, platform };
  }
}
