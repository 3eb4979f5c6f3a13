import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext, TenantRef } from '@credence/context';
import { subjects } from '@credence/contracts';
import { effectiveSettings, TenantSettings, TenantStore, TenantTransactionRunner } from '@credence/tenancy';
import { AuditMetrics } from '../audit-metrics';
import { RetentionRules } from './retention-rules';
import { auditRetentionDays } from './rules/audit-trail.rules';
import { runRecords } from './run-records';

/** Tenants whose data retention still applies: everything but provisioning and deleted ones. */
export const RETAINED_STATUSES = ['active', 'suspended', 'offboarding'] as const;

export type RunOutcome = 'completed' | 'already_completed' | 'skipped' | 'yielded';

/** The tenant's retention settings as a run applies them (platform defaults filled in), as the admin API shows them. */
export interface RetentionPolicy {
  session_anonymize_after_days: number;
  session_delete_after_days: number;
  audit_retention_days: number;
}

export const RETENTION_ACTOR = 'system:retention';

/**
 * One tenant's part of a run: each registered tenant rule (RetentionRules), in order, in batches of RETENTION_BATCH_SIZE, each batch its own
 * transaction that also adds its count to the run's row, then the row marked completed and
 * retention.run.completed emitted together. Killed anywhere, a retry (or the next run) picks up
 * where the last commit left off; nothing is counted or done twice.
 */
@Injectable()
export class TenantRetention {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    private readonly metrics: AuditMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rules: RetentionRules,
    private readonly tenants: TenantStore,
  ) {}

  /** `shouldYield` is asked between batches; when it says so the run stops, to be resumed by a retry. */
  async run(runId: string, tenantId: string, asOf: Date, shouldYield: () => boolean = () => false): Promise<RunOutcome> {
    const begun = await this.context.runWith({ principal: RETENTION_ACTOR }, () =>
      this.runner.inPlatform(async (uow) => {
        const row = await this.tenants.withSettings(tenantId, uow);
        if (!row || !(RETAINED_STATUSES as readonly string[]).includes(row.status)) return undefined;
        const status = await runRecords.begin(
          uow,
          runId,
          tenantId,
          this.rules.tenant.map((r) => r.name),
        );
        return { row, status };
      }),
    );
    if (!begun) return 'skipped';
    if (begun.status === 'completed') return 'already_completed';
    const { row } = begun;
    const tenant: TenantRef = { id: row.id, slug: row.slug, schema: row.schema_name };
    const settings = effectiveSettings(row.settings);
    const limit = this.config.RETENTION_BATCH_SIZE;

    return this.context.runWith({ tenant, principal: RETENTION_ACTOR }, async () => {
      for (const rule of this.rules.tenant) {
        const locks = rule.exclusive ? [{ key: `credence:retention:${rule.name}:${tenant.id}` }] : [];
        const pass = rule.start({ asOf, settings, limit });
        const lane = async (): Promise<boolean> => {
          for (;;) {
            if (shouldYield()) return false;
            const { done, more } = await this.runner.inTenant(
              async (uow) => {
                const result = await pass.batch(uow);
                if (result.done) await runRecords.add(uow, runId, tenant.id, rule.name, result.done);
                return result;
              },
              { locks },
            );
            if (done) this.metrics.retentionRows.inc({ rule: rule.name }, done);
            if (!more) return true;
          }
        };
        const finished = await Promise.all(Array.from({ length: rule.parallel && !rule.exclusive ? this.config.RETENTION_PARALLEL_BATCHES : 1 }, lane));
        if (finished.includes(false)) return 'yielded';
        const finish = pass.finish?.bind(pass);
        if (finish) await this.runner.inTenant(finish);
      }
      await this.runner.inTenant(async (uow) => {
        const done = await runRecords.complete(uow, runId, tenant.id);
        if (done) uow.emit('retention.run.completed', subjects.retention(tenant.slug), { run_id: runId, counts: done.counts, duration_ms: done.duration_ms });
      });
      return 'completed';
    });
  }

  async fail(runId: string, tenantId: string, err: unknown): Promise<void> {
    await this.context.runWith({ principal: RETENTION_ACTOR }, () =>
      this.runner.inPlatform((uow) => runRecords.fail(uow, runId, tenantId, err instanceof Error ? err.message : String(err))),
    );
  }
}

export function policyOf(settings: TenantSettings | null | undefined): RetentionPolicy {
  const s = effectiveSettings(settings);
  return {
    session_anonymize_after_days: s.session_anonymize_after_days,
    session_delete_after_days: s.session_delete_after_days,
    audit_retention_days: auditRetentionDays(s),
  };
}
