import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { RequestContext } from '@credence/context';
import { JOBS, QUEUES } from '@credence/queues';
import { TenantStore, TenantTransactionRunner } from '@credence/tenancy';
import { platformJobId, RetentionSweepJob, scheduledRunId, tenantJobId } from './retention-jobs';
import { RETAINED_STATUSES, RETENTION_ACTOR } from './tenant-retention';

const PAGE = 1000;
const FIRST_UUID = '00000000-0000-0000-0000-000000000000';

export interface SweepOutcome {
  runId: string;
  asOf: string;
  tenants: number;
  platform: boolean;
}

/**
 * Fans a sweep out: one retentionTenant job per tenant whose data is retained, plus one
 * retentionPlatform job. Job ids are `retention:<run>:<tenant>`, so a retried or repeated sweep
 * of the same run adds nothing twice (and a tenant job that did run finds its run completed).
 */
@Injectable()
export class RetentionSweep {
  constructor(
    @InjectQueue(QUEUES.retention) private readonly queue: Queue,
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    private readonly tenants: TenantStore,
  ) {}

  async fanOut(job: Job<RetentionSweepJob>): Promise<SweepOutcome> {
    const { runId, asOf } = identify(job);
    const only = job.data.tenantIds;
    const platform = job.data.platform ?? !only;
    let tenants = 0;
    let after = FIRST_UUID;
    for (;;) {
      const ids = await this.context.runWith({ principal: RETENTION_ACTOR }, () =>
        this.runner.inPlatform((uow) => this.tenants.idsPage({ statuses: RETAINED_STATUSES, after, only, limit: PAGE }, uow)),
      );
      if (!ids.length) break;
      await this.queue.addBulk(ids.map((id) => ({ name: JOBS.retentionTenant, data: { runId, tenantId: id, asOf }, opts: { jobId: tenantJobId(runId, id) } })));
      tenants += ids.length;
      after = ids[ids.length - 1];
      if (ids.length < PAGE) break;
    }
    if (platform) await this.queue.add(JOBS.retentionPlatform, { runId, asOf }, { jobId: platformJobId(runId) });
    return { runId, asOf, tenants, platform };
  }
}

/** A triggered sweep names its run; a scheduled one is named by its iteration's time, which is also its asOf. */
function identify(job: Job<RetentionSweepJob>): { runId: string; asOf: string } {
  if (job.data.runId) return { runId: job.data.runId, asOf: job.data.asOf ?? new Date(job.timestamp).toISOString() };
  const millis = /^repeat:[^:]+:(\d+)$/.exec(job.id ?? '')?.[1];
  const at = new Date(millis ? Number(millis) : job.timestamp);
  return { runId: scheduledRunId(at), asOf: at.toISOString() };
}
