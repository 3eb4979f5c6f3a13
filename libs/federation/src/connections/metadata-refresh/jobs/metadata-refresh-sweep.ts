import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { RequestContext } from '@credence/context';
import { FederationMetadataTenantJob, JOBS, QUEUES } from '@credence/queues';
import { TenantStore, TenantSummary, TenantTransactionRunner } from '@credence/tenancy';
import { METADATA_REFRESH_ACTOR, tenantRefreshJobId } from './metadata-refresh-jobs';

/** Tenants probed at once: each probe is one short transaction in that tenant's schema. */
const PROBES_AT_ONCE = 8;

export interface MetadataSweepOutcome {
  tenants: number;
  queued: number;
}

/**
 * Fans a sweep out: one refresh job per active tenant that has a SAML connection (a metadata URL to
 * refetch, or IdP certificates whose expiry is watched). Tenants without one cost a probe, no job.
 */
@Injectable()
export class MetadataRefreshSweep {
  private readonly logger = new Logger(MetadataRefreshSweep.name);

  constructor(
    @InjectQueue(QUEUES.federation) private readonly queue: Queue<FederationMetadataTenantJob>,
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    private readonly tenants: TenantStore,
  ) {}

  async fanOut(job: Job): Promise<MetadataSweepOutcome> {
    const active = await this.context.runWith({ principal: METADATA_REFRESH_ACTOR }, () => this.runner.inPlatform((uow) => this.tenants.listByStatus(['active'], uow)));
    let queued = 0;
    for (let i = 0; i < active.length; i += PROBES_AT_ONCE) {
      const chunk = active.slice(i, i + PROBES_AT_ONCE);
      const found = await Promise.all(chunk.map((t) => this.hasSamlConnections(t)));
      const due = chunk.filter((_, j) => found[j]);
      if (!due.length) continue;
      await this.queue.addBulk(due.map((t) => ({ name: JOBS.federationMetadataTenant, data: { tenantId: t.id }, opts: { jobId: tenantRefreshJobId(String(job.id), t.id) } })));
      queued += due.length;
    }
    return { tenants: active.length, queued };
  }

  private async hasSamlConnections(t: TenantSummary): Promise<boolean> {
    const tenant = { id: t.id, slug: t.slug, schema: t.schema_name };
    try {
      return await this.context.runWith({ tenant, principal: METADATA_REFRESH_ACTOR }, () =>
        this.runner.inTenant(async (uow) => {
          const [row] = await uow.query<{ found: boolean }[]>(`SELECT EXISTS (SELECT 1 FROM connections WHERE type = 'saml') AS found`);
          return row.found;
        }),
      );
    } catch (err) {
      // One tenant that cannot be read (a role not yet backfilled, a schema behind) does not stop the others.
      this.logger.warn({ tenant_id: t.id, err: (err as Error).message }, 'tenant skipped by the metadata refresh sweep');
      return false;
    }
  }
}
