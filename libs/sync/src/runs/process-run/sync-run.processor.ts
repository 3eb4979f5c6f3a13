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
    if (!row || row.status === 'deleted') return 'skipped';
    const tenant = { id: row.id, slug: row.slug, schema: row.schema_name };
    const source = await this.context.runWith({ tenant }, () =>
      this.runner.inTenant((uow) => uow.query<{ source: string }[]>('SELECT source FROM sync_runs WHERE id = $1', [job.data.syncId])),
    );
    if (!source.length) return 'skipped';
    return this.context.runWith({ tenant, principal: `sync:${source[0].source}` }, async () => {
      // Nothing re-queues a run later: suspended before its job ran, it is failed rather than left `started`.
      if (row.status !== 'active') {
        await this.process_.giveUp(job.data.syncId, 'tenant.suspended', 'The tenant was not active when the run was to be processed; send the batch again.');
        return 'failed';
      }
      try {
        return await this.process_.process(tenant.id, job.data.syncId);
      } catch (err) {
        // BullMQ retries (the run resumes where it stopped); after the last attempt nothing will process it.
        if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
          await this.process_.giveUp(job.data.syncId, 'service.unavailable', 'The run failed on every attempt; send the batch again.').catch(() => undefined);
        }
        throw err;
      }
    });
  }
}
