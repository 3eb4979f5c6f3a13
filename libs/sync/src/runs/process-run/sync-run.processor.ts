import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { RequestContext } from '@credence/context';
import { JobRegistry, JOBS, OnJob, QUEUES, SyncRunJob } from '@credence/queues';
import { TenantStore, TenantTransactionRunner } from '@credence/tenancy';
import { ProcessSyncRun } from './process-sync-run';

/** The sync queue's worker: one job per run, in the run's tenant, with actor `sync:<source>`. */
@Processor(QUEUES.sync, { concurrency: 2 })
export class SyncRunProcessor extends WorkerHost {
  constructor(
    private readonly jobs: JobRegistry,
    private readonly process_: ProcessSyncRun,
    private readonly context: RequestContext,
    private readonly runner: TenantTransactionRunner,
    private readonly tenants: TenantStore,
  ) {
    super();
  }

  process(job: Job, token?: string): Promise<unknown> {
    return this.jobs.dispatch(QUEUES.sync, job, token);
  }

  @OnJob(QUEUES.sync, JOBS.syncRun)
  async run(job: Job<SyncRunJob>): Promise<string> {
    const row = await this.context.runWith({ principal: 'system:sync' }, () => this.runner.inPlatform((uow) => this.tenants.withSettings(job.data.tenantId, uow)));
    if (!row || row.status !== 'active') return 'skipped';
    const tenant = { id: row.id, slug: row.slug, schema: row.schema_name };
    const source = await this.context.runWith({ tenant }, () =>
      this.runner.inTenant((uow) => uow.query<{ source: string }[]>('SELECT source FROM sync_runs WHERE id = $1', [job.data.syncId])),
    );
    if (!source.length) return 'skipped';
    return this.context.runWith({ tenant, principal: `sync:${source[0].source}` }, () => this.process_.process(tenant.id, job.data.syncId));
  }
}
