import { Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { JobRegistry, JOBS, OnJob, QUEUES } from '@credence/queues';
import { AuditMetrics } from '../audit-metrics';
import { PlatformRetention } from './platform-retention';
import { PlatformJobData, RetentionSweepJob, TenantJobData } from './retention-jobs';
import { RetentionSweep } from './retention-sweep';
import { RunOutcome, TenantRetention } from './tenant-retention';

/**
 * The retention queue's one worker: sweep, tenant and platform jobs, each dispatched by the
 * JobRegistry to its `@OnJob` handler below. On shutdown a running job
 * stops after its current batch and goes back to the queue (delayed a second), where this or
 * another process resumes it; a killed process's job is retried by BullMQ once its lock lapses.
 */
@Processor(QUEUES.retention, { concurrency: 2, stalledInterval: 15_000 })
export class RetentionProcessor extends WorkerHost implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionProcessor.name);
  private stopping = false;

  constructor(
    private readonly sweep: RetentionSweep,
    private readonly tenants: TenantRetention,
    private readonly platform: PlatformRetention,
    private readonly metrics: AuditMetrics,
    private readonly jobs: JobRegistry,
  ) {
    super();
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  async process(job: Job, token?: string): Promise<unknown> {
    const stopTimer = this.metrics.jobSeconds.startTimer({ job: job.name });
    try {
      return await this.jobs.dispatch(QUEUES.retention, job, token);
    } catch (err) {
      if (!(err instanceof DelayedError)) {
        this.metrics.jobFailures.inc({ job: job.name });
        this.logger.warn({ job: job.name, job_id: job.id, attempt: job.attemptsMade + 1, err: (err as Error).message }, 'retention job failed');
      }
      throw err;
    } finally {
      stopTimer();
    }
  }

  @OnJob(QUEUES.retention, JOBS.retentionSweep)
  fanOut(job: Job<RetentionSweepJob>): Promise<unknown> {
    return this.sweep.fanOut(job);
  }

  @OnJob(QUEUES.retention, JOBS.retentionTenant)
  async runTenant(job: Job<TenantJobData>, token?: string): Promise<RunOutcome> {
    const { runId, tenantId, asOf } = job.data;
    const at = new Date(asOf ?? job.timestamp);
    const outcome = await this.tenants.run(runId, tenantId, at, this.shouldYield).catch(async (err: unknown) => {
      await this.tenants.fail(runId, tenantId, err).catch(() => undefined);
      throw err;
    });
    return this.settle(job, token, outcome);
  }

  @OnJob(QUEUES.retention, JOBS.retentionPlatform)
  async runPlatform(job: Job<PlatformJobData>, token?: string): Promise<RunOutcome> {
    const { runId, asOf } = job.data;
    const outcome = await this.platform.run(runId, new Date(asOf ?? job.timestamp), this.shouldYield).catch(async (err: unknown) => {
      await this.platform.fail(runId, err).catch(() => undefined);
      throw err;
    });
    return this.settle(job, token, outcome);
  }

  private readonly shouldYield = () => this.stopping;

  /** A yielded run goes back to the queue without using up an attempt. */
  private async settle(job: Job, token: string | undefined, outcome: RunOutcome): Promise<RunOutcome> {
    if (outcome !== 'yielded') return outcome;
    await job.moveToDelayed(Date.now() + 1_000, token);
    throw new DelayedError();
  }
}
