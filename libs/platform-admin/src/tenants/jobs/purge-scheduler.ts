import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { JOBS, PurgeTenantJob, QUEUES } from '@credence/queues';

/**
 * Schedules the delayed job that drops an offboarded tenant. The job id names the tenant and its
 * purge time, so scheduling twice is a no-op. At start-up every offboarding tenant is scheduled
 * again, because Redis may have lost the job (it keeps nothing on disk here).
 */
@Injectable()
export class PurgeScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(PurgeScheduler.name);

  constructor(
    @InjectQueue(QUEUES.tenantLifecycle) private readonly queue: Queue<PurgeTenantJob>,
    private readonly dataSource: DataSource,
  ) {}

  async schedule(tenantId: string, purgeAfter: Date): Promise<void> {
    const delay = Math.max(0, purgeAfter.getTime() - Date.now());
    await this.queue.add(JOBS.purgeTenant, { tenantId }, { jobId: `purge-${tenantId}-${purgeAfter.getTime()}`, delay });
  }

  async onApplicationBootstrap(): Promise<void> {
    const rows: { id: string; purge_after: Date }[] = await this.dataSource.query(
      `SELECT id, purge_after FROM platform.tenants WHERE status = 'offboarding' AND purge_after IS NOT NULL`,
    );
    for (const r of rows) await this.schedule(r.id, r.purge_after);
    if (rows.length) this.logger.log(`scheduled ${rows.length} tenant purge(s)`);
  }
}
