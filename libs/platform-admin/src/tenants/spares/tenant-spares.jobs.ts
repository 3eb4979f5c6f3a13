import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { JOBS, OnJob, QUEUES } from '@credence/queues';
import { RefillReport, TenantSpares } from '@credence/tenancy';

const SCHEDULER_ID = 'tenant-spares-refill';
/**
 * At most one refill queued per second: requests within the same second share the job. Not one id
 * for all: a request while a refill runs (and may have counted already) must queue another.
 */
const refillJobId = () => `tenant-spares-refill-${Math.floor(Date.now() / 1000)}`;
/** A burst of onboardings goes first; the refill starts a moment after the first spare is taken. */
const REFILL_DELAY_MS = 1_000;

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
 * Keeps the pool of spare tenant schemas (TenantSpares) at TENANT_SPARE_POOL_SIZE: one BullMQ job
 * scheduler every TENANT_SPARE_REFILL_SECONDS across all processes, a refill at boot, and one
 * queued after each onboarding that took a spare. With the size at 0 the schedule is removed.
 */
@Injectable()
export class TenantSparesJobs implements OnApplicationBootstrap {
  private readonly logger = new Logger(TenantSparesJobs.name);

  constructor(
    @InjectQueue(QUEUES.tenantLifecycle) private readonly queue: Queue,
    private readonly spares: TenantSpares,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      if (this.config.TENANT_SPARE_POOL_SIZE > 0) {
        const every = this.config.TENANT_SPARE_REFILL_SECONDS * 1000;
        await bounded(this.queue.upsertJobScheduler(SCHEDULER_ID, { every }, { name: JOBS.refillTenantSpares, data: {} }), 5_000);
        await this.requestRefill(0);
      } else {
        await bounded(this.queue.removeJobScheduler(SCHEDULER_ID), 5_000);
      }
    } catch (err) {
      // Boot goes on; onboarding falls back to creating schemas until the pool is filled.
      this.logger.warn({ err: (err as Error).message }, 'tenant spare schedule not updated');
    }
  }

  /** Queues a refill soon; never fails (the schedule catches up). */
  async requestRefill(delay = REFILL_DELAY_MS): Promise<void> {
    if (this.config.TENANT_SPARE_POOL_SIZE === 0) return;
    try {
      await bounded(this.queue.add(JOBS.refillTenantSpares, {}, { jobId: refillJobId(), delay, removeOnComplete: true, removeOnFail: true }), 2_000);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'tenant spare refill not queued; the schedule will run it');
    }
  }

  @OnJob(QUEUES.tenantLifecycle, JOBS.refillTenantSpares)
  refill(): Promise<RefillReport> {
    return this.spares.refill();
  }
}
