import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { JOBS, PurgeTenantJob, QUEUES } from '@credence/queues';
import { TenantStore } from '@credence/tenancy';

const SWEEP_EVERY_MS = 5 * 60_000;

/**
 * Schedules the delayed job that drops an offboarded tenant. The job id names the tenant and its
 * purge time, so scheduling twice is a no-op. At start-up and every few minutes every offboarding
 * tenant is scheduled again, because Redis may have lost the job or been out of reach.
 */
@Injectable()
export class PurgeScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PurgeScheduler.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectQueue(QUEUES.tenantLifecycle) private readonly queue: Queue<PurgeTenantJob>,
    private readonly tenants: TenantStore,
  ) {}

  /**
   * Queues the purge. Bounded in time: when Redis is unreachable the offboarding (already committed)
   * still answers, and the periodic sweep schedules the job once Redis is back.
   */
  async schedule(tenantId: string, purgeAfter: Date): Promise<boolean> {
    const delay = Math.max(0, purgeAfter.getTime() - Date.now());
    const add = this.queue.add(JOBS.purgeTenant, { tenantId }, { jobId: `purge-${tenantId}-${purgeAfter.getTime()}`, delay });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('queue did not answer in 2 s')), 2_000)));
    try {
      await Promise.race([add, timeout]);
      return true;
    } catch (err) {
      add.catch(() => undefined);
      this.logger.warn({ tenant_id: tenantId, err: (err as Error).message }, 'purge not queued now; the sweep will queue it');
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(() => void this.sweep().catch((err) => this.logger.warn({ err }, 'purge sweep failed')), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async sweep(): Promise<void> {
    const rows = await this.tenants.pendingPurges();
    for (const r of rows) await this.schedule(r.id, r.purge_after);
  }
}
