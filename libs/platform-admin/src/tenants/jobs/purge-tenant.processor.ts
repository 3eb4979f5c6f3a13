import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { ActorSystem } from '@credence/actors';
import { RequestContext } from '@credence/context';
import { subjects } from '@credence/contracts';
import { TENANT_SCHEMA_LOCK } from '@credence/database';
import { JobRegistry, JOBS, OnJob, PurgeTenantJob, QUEUES } from '@credence/queues';
import { quoteSchema, TenantLifecycleStore, TenantRegistry, TenantRoles, TenantStore } from '@credence/tenancy';
import { tenantActor } from '../tenant-actor';
import { PurgeScheduler } from './purge-scheduler';

type PurgeOutcome = { done: 'purged' | 'skipped' } | { done: 'later'; at: Date };

/** Drops an offboarded tenant's schema and role once its grace period is over; the slug stays reserved. */
@Processor(QUEUES.tenantLifecycle)
export class PurgeTenantProcessor extends WorkerHost {
  private readonly logger = new Logger(PurgeTenantProcessor.name);

  constructor(
    private readonly actors: ActorSystem,
    private readonly context: RequestContext,
    private readonly registry: TenantRegistry,
    private readonly scheduler: PurgeScheduler,
    private readonly tenants: TenantStore,
    private readonly lifecycle: TenantLifecycleStore,
    private readonly jobs: JobRegistry,
    private readonly roles: TenantRoles,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return this.jobs.dispatch(QUEUES.tenantLifecycle, job);
  }

  @OnJob(QUEUES.tenantLifecycle, JOBS.purgeTenant)
  async purge(job: Job<PurgeTenantJob>): Promise<PurgeOutcome> {
    const { tenantId } = job.data;
    const [tenant] = await this.lookup(tenantId);
    if (!tenant) return { done: 'skipped' };
    const outcome = await this.context.runWith({ principal: 'system:offboarding' }, () =>
      this.actors.send(
        tenantActor(tenant.slug),
        async (uow): Promise<PurgeOutcome> => {
          const row = await this.lifecycle.lockForPurge(uow, tenantId);
          if (!row || row.status !== 'offboarding' || !row.purge_after) return { done: 'skipped' };
          if (row.purge_after.getTime() > Date.now()) return { done: 'later', at: row.purge_after };
          await uow.query(`DROP SCHEMA IF EXISTS ${quoteSchema(row.schema_name)} CASCADE`);
          await this.roles.drop(uow, row.schema_name);
          await this.lifecycle.markDeleted(uow, tenantId);
          uow.emit('tenant.deleted', subjects.tenant(tenant.slug), { tenant_id: tenantId, slug: tenant.slug }, tenantId);
          return { done: 'purged' };
        },
        // Shared schema lock: a purge never races `npm run migrate` over the same schema.
        { platform: true, extraLocks: [{ key: TENANT_SCHEMA_LOCK, mode: 'shared' }] },
      ),
    );
    this.registry.forget(tenant.slug);
    if (outcome.done === 'later') await this.scheduler.schedule(tenantId, outcome.at);
    if (outcome.done === 'purged') this.logger.log({ tenant_id: tenantId, slug: tenant.slug }, 'tenant purged');
    return outcome;
  }

  private async lookup(tenantId: string): Promise<{ slug: string }[]> {
    const tenant = await this.tenants.findById(tenantId);
    return tenant ? [tenant] : [];
  }
}
