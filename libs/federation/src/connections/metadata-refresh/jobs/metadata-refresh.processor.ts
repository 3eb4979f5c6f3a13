import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { RequestContext } from '@credence/context';
import { FederationMetadataTenantJob, JobRegistry, JOBS, OnJob, QUEUES } from '@credence/queues';
import { TenantStore, TenantTransactionRunner } from '@credence/tenancy';
import { MetadataRefresh, RefreshOutcome } from '../metadata-refresh';
import { METADATA_REFRESH_ACTOR } from './metadata-refresh-jobs';
import { MetadataRefreshSweep, MetadataSweepOutcome } from './metadata-refresh-sweep';

/**
 * The federation queue's one worker: the metadata sweep and each tenant's refresh, dispatched by the
 * JobRegistry to the `@OnJob` handlers below. A failed job is retried by BullMQ (QueuesModule's
 * defaults); a failed fetch is not a failed job (MetadataRefresh marks the connection instead).
 */
@Processor(QUEUES.federation, { concurrency: 2 })
export class MetadataRefreshProcessor extends WorkerHost {
  private readonly logger = new Logger(MetadataRefreshProcessor.name);

  constructor(
    private readonly sweep: MetadataRefreshSweep,
    private readonly refresh: MetadataRefresh,
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    private readonly tenants: TenantStore,
    private readonly jobs: JobRegistry,
  ) {
    super();
  }

  async process(job: Job, token?: string): Promise<unknown> {
    try {
      return await this.jobs.dispatch(QUEUES.federation, job, token);
    } catch (err) {
      this.logger.warn({ job: job.name, job_id: job.id, attempt: job.attemptsMade + 1, err: (err as Error).message }, 'federation job failed');
      throw err;
    }
  }

  @OnJob(QUEUES.federation, JOBS.federationMetadataSweep)
  fanOut(job: Job): Promise<MetadataSweepOutcome> {
    return this.sweep.fanOut(job);
  }

  /** Runs in the tenant's context; a tenant no longer active by then (suspended, offboarding) is skipped. */
  @OnJob(QUEUES.federation, JOBS.federationMetadataTenant)
  async refreshTenant(job: Job<FederationMetadataTenantJob>): Promise<RefreshOutcome | 'skipped'> {
    const row = await this.context.runWith({ principal: METADATA_REFRESH_ACTOR }, () => this.runner.inPlatform((uow) => this.tenants.withSettings(job.data.tenantId, uow)));
    if (!row || row.status !== 'active') return 'skipped';
    const tenant = { id: row.id, slug: row.slug, schema: row.schema_name };
    return this.context.runWith({ tenant, principal: METADATA_REFRESH_ACTOR }, () => this.refresh.refreshTenant());
  }
}
