import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { JOBS, QUEUES } from '@credence/queues';
import { TenantStore, TenantSummary, TenantTransactionRunner } from '@credence/tenancy';
import { StartLdapSync } from '../start-ldap-sync/start-ldap-sync';

/** Who scheduled runs act as (the run's requested_by). */
export const LDAP_SYNC_ACTOR = 'system:ldap-sync';
/** How often the sweep looks for due connections; a schedule's interval is at least 5 minutes. */
export const LDAP_SWEEP_EVERY_MS = 60_000;
const SCHEDULER_ID = 'ldap-sync-sweep';

/**
 * The LDAP sync schedule: one BullMQ job scheduler (a sweep a minute, shared by every sync process)
 * whose sweep starts, in each active tenant, a run of every enabled LDAP connection whose schedule is
 * due: `full` when the last full run is older than full_every_hours (or there was none), otherwise
 * `incremental`. One sweep job across all processes, so a connection is not started twice; a run still
 * going is left alone (the unique index would refuse a second one anyway).
 */
@Injectable()
export class LdapSyncSweep implements OnApplicationBootstrap {
  private readonly logger = new Logger(LdapSyncSweep.name);

  constructor(
    @InjectQueue(QUEUES.sync) private readonly queue: Queue,
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    private readonly tenants: TenantStore,
    private readonly startSync: StartLdapSync,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await Promise.race([
        this.queue.upsertJobScheduler(SCHEDULER_ID, { every: LDAP_SWEEP_EVERY_MS }, { name: JOBS.ldapSyncSweep, data: {} }),
        new Promise((_, reject) => setTimeout(() => reject(new Error('queue did not answer in 5000 ms')), 5000).unref()),
      ]);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'LDAP sync schedule not updated');
    }
  }

  async sweep(): Promise<{ tenants: number; started: number }> {
    const active = await this.context.runWith({ principal: LDAP_SYNC_ACTOR }, () => this.runner.inPlatform((uow) => this.tenants.listByStatus(['active'], uow)));
    let started = 0;
    for (const t of active) started += await this.sweepTenant(t);
    return { tenants: active.length, started };
  }

  private async sweepTenant(t: TenantSummary): Promise<number> {
    const tenant = { id: t.id, slug: t.slug, schema: t.schema_name };
    return this.context.runWith({ tenant, principal: LDAP_SYNC_ACTOR }, async () => {
      let due: { connection_id: string; full: boolean }[];
      try {
        due = await this.runner.inTenant((uow) =>
          uow.query(
            `UPDATE ldap_sync s SET last_run_at = now()
               FROM connections c
              WHERE c.id = s.connection_id AND c.enabled AND c.type = 'ldap' AND s.enabled
                AND (s.last_run_at IS NULL OR s.last_run_at <= now() - make_interval(mins => s.interval_minutes))
                AND NOT EXISTS (SELECT 1 FROM sync_runs r WHERE r.source = 'ldap-' || s.connection_id::text AND r.status = 'started')
            RETURNING s.connection_id, (s.last_full_at IS NULL OR s.last_full_at <= now() - make_interval(hours => s.full_every_hours)) AS full`,
          ),
        );
      } catch (err) {
        this.logger.warn({ tenant_id: t.id, err: (err as Error).message }, 'tenant skipped by the LDAP sync sweep');
        return 0;
      }
      let n = 0;
      for (const d of due) {
        try {
          await this.startSync.start(t.id, d.connection_id, d.full ? 'full' : 'incremental', false, LDAP_SYNC_ACTOR);
          n += 1;
        } catch (err) {
          if (!(err instanceof DomainError && err.code === 'sync.run_in_progress'))
            this.logger.warn({ tenant_id: t.id, connection_id: d.connection_id, err: (err as Error).message }, 'scheduled LDAP sync not started');
        }
      }
      return n;
    });
  }
}
