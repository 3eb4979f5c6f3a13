import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { PLATFORM_TENANT_ID, subjects } from '@credence/contracts';
import { RequestContext } from '@credence/context';
import { EVENTS_CONFIG, EventsConfig, purgeSentOutboxRows } from '@credence/event-relay';
import { purgeExpiredEvents } from '@credence/event-store';
import { DEFAULT_TENANT_SETTINGS, TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { AuditMetrics } from '../audit-metrics';
import { PLATFORM_TRAIL } from '../trail/trail-tables';
import { cutoff, deleteExpiredAuditPrefix } from './rules/tenant-rules';
import { runRecords } from './run-records';
import { RETENTION_ACTOR, RunOutcome } from './tenant-retention';

/** How long the record of retention runs is kept; each tenant's newest run is kept whatever its age. */
const RUN_HISTORY_DAYS = 90;

async function purgeOldRuns(uow: UnitOfWork, before: Date, limit: number): Promise<number> {
  const [row] = await uow.query<{ n: number }[]>(
    `WITH gone AS (
       DELETE FROM platform.retention_runs r WHERE (r.tenant_id, r.run_id) IN (
         SELECT o.tenant_id, o.run_id FROM platform.retention_runs o
          WHERE o.started_at < $1 AND o.status <> 'running'
            AND EXISTS (SELECT 1 FROM platform.retention_runs n WHERE n.tenant_id = o.tenant_id AND n.started_at > o.started_at)
          LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [before, limit],
  );
  return row?.n ?? 0;
}

interface PlatformRule {
  name: string;
  batch(uow: UnitOfWork, asOf: Date, limit: number): Promise<number>;
}

/**
 * The platform's part of a run (tenant_id `platform` in retention_runs): sent outbox rows after
 * EVENTS_OUTBOX_KEEP_SECONDS, event-store rows past their tenant's event_retention_days, and the
 * platform trail's rows past the platform's audit retention (with a checkpoint, as for a tenant),
 * and the record of runs older than RUN_HISTORY_DAYS (each tenant's newest run stays).
 * Same batching, counting and completion as a tenant's part.
 */
@Injectable()
export class PlatformRetention {
  private readonly rules: PlatformRule[];

  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    private readonly metrics: AuditMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENTS_CONFIG) events: EventsConfig,
  ) {
    this.rules = [
      { name: 'outbox_rows_purged', batch: (uow, asOf, limit) => purgeSentOutboxRows(uow.query.bind(uow), { asOf, keepSeconds: events.EVENTS_OUTBOX_KEEP_SECONDS, limit }) },
      { name: 'event_store_rows_purged', batch: (uow, asOf, limit) => purgeExpiredEvents(uow.query.bind(uow), { asOf, defaultDays: events.EVENTS_STORE_RETENTION_DAYS, limit }) },
      { name: 'retention_runs_purged', batch: (uow, asOf, limit) => purgeOldRuns(uow, cutoff(asOf, RUN_HISTORY_DAYS), limit) },
      {
        name: 'audit_rows_deleted',
        batch: (uow, asOf, limit) => deleteExpiredAuditPrefix(uow, PLATFORM_TRAIL, cutoff(asOf, DEFAULT_TENANT_SETTINGS.audit_retention_days), limit),
      },
    ];
  }

  async run(runId: string, asOf: Date, shouldYield: () => boolean = () => false): Promise<RunOutcome> {
    return this.context.runWith({ principal: RETENTION_ACTOR }, async () => {
      const status = await this.runner.inPlatform((uow) => runRecords.begin(uow, runId, PLATFORM_TENANT_ID, this.rules.map((r) => r.name)));
      if (status === 'completed') return 'already_completed';
      const limit = this.config.RETENTION_BATCH_SIZE;
      for (const rule of this.rules) {
        for (;;) {
          if (shouldYield()) return 'yielded';
          const n = await this.runner.inPlatform(async (uow) => {
            const done = await rule.batch(uow, asOf, limit);
            if (done) await runRecords.add(uow, runId, PLATFORM_TENANT_ID, rule.name, done);
            return done;
          });
          if (n) this.metrics.retentionRows.inc({ rule: rule.name }, n);
          if (n < limit) break;
        }
      }
      await this.runner.inPlatform(async (uow) => {
        const done = await runRecords.complete(uow, runId, PLATFORM_TENANT_ID);
        if (done) uow.emit('retention.run.completed', subjects.retention(PLATFORM_TENANT_ID), { run_id: runId, counts: done.counts, duration_ms: done.duration_ms }, PLATFORM_TENANT_ID);
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
