import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { PLATFORM_TENANT_ID, subjects } from '@credence/contracts';
import { RequestContext } from '@credence/context';
import { DEFAULT_TENANT_SETTINGS, TenantTransactionRunner } from '@credence/tenancy';
import { AuditMetrics } from '../audit-metrics';
import { RetentionRules } from './retention-rules';
import { runRecords } from './run-records';
import { RETENTION_ACTOR, RunOutcome } from './tenant-retention';

/**
 * The platform's part of a run (tenant_id `platform` in retention_runs): each registered platform
 * rule (RetentionRules), in order, one batch at a time. The rules are supplied by the libs that own
 * the tables: sent outbox rows (event-relay), event-store rows (event-store), the record of runs and
 * the platform trail (audit). Same batching, counting and completion as a tenant's part.
 */
@Injectable()
export class PlatformRetention {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    private readonly metrics: AuditMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rules: RetentionRules,
  ) {}

  async run(runId: string, asOf: Date, shouldYield: () => boolean = () => false): Promise<RunOutcome> {
    return this.context.runWith({ principal: RETENTION_ACTOR }, async () => {
      const rules = this.rules.platform;
      const status = await this.runner.inPlatform((uow) =>
        runRecords.begin(
          uow,
          runId,
          PLATFORM_TENANT_ID,
          rules.map((r) => r.name),
        ),
      );
      if (status === 'completed') return 'already_completed';
      const limit = this.config.RETENTION_BATCH_SIZE;
      for (const rule of rules) {
        // Two runs at once (a manual one beside the schedule's) would otherwise run its batches side by side.
        const locks = rule.exclusive ? [{ key: `credence:retention:${rule.name}:${PLATFORM_TENANT_ID}` }] : [];
        const pass = rule.start({ asOf, settings: { ...DEFAULT_TENANT_SETTINGS }, limit });
        for (;;) {
          if (shouldYield()) return 'yielded';
          const { done, more } = await this.runner.inPlatform(
            async (uow) => {
              const result = await pass.batch(uow);
              if (result.done) await runRecords.add(uow, runId, PLATFORM_TENANT_ID, rule.name, result.done);
              return result;
            },
            { locks },
          );
          if (done) this.metrics.retentionRows.inc({ rule: rule.name }, done);
          if (!more) break;
        }
        const finish = pass.finish?.bind(pass);
        if (finish) await this.runner.inPlatform(finish);
      }
      await this.runner.inPlatform(async (uow) => {
        const done = await runRecords.complete(uow, runId, PLATFORM_TENANT_ID);
        if (done)
          uow.emit('retention.run.completed', subjects.retention(PLATFORM_TENANT_ID), { run_id: runId, counts: done.counts, duration_ms: done.duration_ms }, PLATFORM_TENANT_ID);
      });
      return 'completed';
    });
  }

  async fail(runId: string, err: unknown): Promise<void> {
    await this.context.runWith({ principal: RETENTION_ACTOR }, () =>
      this.runner.inPlatform((uow) => runRecords.fail(uow, runId, PLATFORM_TENANT_ID, err instanceof Error ? err.message : String(err))),
    );
  }
}
