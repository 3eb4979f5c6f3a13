import { Injectable } from '@nestjs/common';
import { Job } from 'bullmq';
import { RequestContext } from '@credence/context';
import { JOBS, OnJob, QUEUES, SyncRunJob } from '@credence/queues';
import { TenantStore, TenantTransactionRunner } from '@credence/tenancy';
import { RunLdapSync } from './run-ldap-sync/run-ldap-sync';
import { LDAP_SYNC_ACTOR, LdapSyncSweep } from './schedule/ldap-sync-sweep';

/** The sync queue's LDAP jobs: one run (in its tenant, actor `sync:<source>`) and the schedule's sweep. */
@Injectable()
export class LdapSyncJobs {
  constructor(
    private readonly runLdapSync: RunLdapSync,
    private readonly sweeper: LdapSyncSweep,
    private readonly context: RequestContext,
    private readonly runner: TenantTransactionRunner,
    private readonly tenants: TenantStore,
  ) {}

  @OnJob(QUEUES.sync, JOBS.ldapSync)
  async run(job: Job<SyncRunJob>): Promise<string> {
    const row = await this.context.runWith({ principal: LDAP_SYNC_ACTOR }, () => this.runner.inPlatform((uow) => this.tenants.withSettings(job.data.tenantId, uow)));
    if (!row || row.status !== 'active') return 'skipped';
    const tenant = { id: row.id, slug: row.slug, schema: row.schema_name };
    const [run] = await this.context.runWith({ tenant }, () =>
      this.runner.inTenant((uow) => uow.query<{ source: string }[]>('SELECT source FROM sync_runs WHERE id = $1', [job.data.syncId])),
    );
    if (!run) return 'skipped';
    return this.context.runWith({ tenant, principal: `sync:${run.source}` }, async () => {
      try {
        return await this.runLdapSync.process(tenant.id, job.data.syncId);
      } catch (err) {
        // BullMQ retries (the run resumes); after the last attempt the run must not stay `started`, which would refuse every later run.
        if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await this.runLdapSync.giveUp(job.data.syncId).catch(() => undefined);
        throw err;
      }
    });
  }

  @OnJob(QUEUES.sync, JOBS.ldapSyncSweep)
  sweep(): Promise<{ tenants: number; started: number }> {
    return this.sweeper.sweep();
  }
}
