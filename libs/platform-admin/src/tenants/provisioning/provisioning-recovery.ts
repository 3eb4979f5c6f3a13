import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { TenantStore } from '@credence/tenancy';
import { TenantProvisioner } from './tenant-provisioner';

const SWEEP_EVERY_MS = 15_000;

export interface RecoveryReport {
  slug: string;
  tenant_id: string;
  outcome: 'completed' | 'already_done' | 'gone' | 'removed';
}

/**
 * Finishes tenants left in `provisioning` by a process that died: it completes them (the pending
 * admin is kept on the row) or, if that fails, removes them. Runs at start-up and then periodically;
 * the tenant actor's lock makes it safe next to a request still working on the same tenant.
 */
@Injectable()
export class ProvisioningRecovery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProvisioningRecovery.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<RecoveryReport[]>;

  constructor(
    private readonly tenants: TenantStore,
    private readonly provisioner: TenantProvisioner,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(() => void this.sweep().catch((err) => this.logger.error({ err }, 'recovery sweep failed')), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  sweep(): Promise<RecoveryReport[]> {
    this.running ??= this.recoverStale().finally(() => (this.running = undefined));
    return this.running;
  }

  private async recoverStale(): Promise<RecoveryReport[]> {
    const stale = await this.tenants.staleProvisioning(this.config.PROVISIONING_STALE_AFTER_SECONDS);
    const reports: RecoveryReport[] = [];
    for (const t of stale) {
      const report = await this.context.runWith({ principal: 'system:recovery' }, () => this.recoverOne(t));
      reports.push(report);
      this.logger.warn({ ...report }, `interrupted provisioning of ${t.slug}: ${report.outcome}`);
    }
    return reports;
  }

  private async recoverOne(t: { id: string; slug: string; schema_name: string }): Promise<RecoveryReport> {
    try {
      const outcome = await this.provisioner.complete(t.slug, { id: t.id, schema: t.schema_name }, true);
      return { slug: t.slug, tenant_id: t.id, outcome };
    } catch (err) {
      await this.provisioner.abandon(t.slug, t.id, `recovery failed: ${err instanceof Error ? err.message : String(err)}`);
      return { slug: t.slug, tenant_id: t.id, outcome: 'removed' };
    }
  }
}
