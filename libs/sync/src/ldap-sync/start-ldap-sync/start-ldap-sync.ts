import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { v7 as uuidv7 } from 'uuid';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { LdapSyncSource } from '@credence/federation';
import { JOBS, QUEUES, SyncRunJob } from '@credence/queues';
import { TenantTransactionRunner } from '@credence/tenancy';
import { ldapSource } from '../ldap-source';

const sqlState = (err: unknown) => (err as { code?: string; driverError?: { code?: string } })?.driverError?.code ?? (err as { code?: string })?.code;

/**
 * Starts a run of an LDAP connection of the tenant in context (POST .../connections/{id}/sync, or the
 * schedule): a sync run of source `ldap-<id>` with nothing stored but its mode, queued as job
 * `ldap-sync`. Another tenant's or an unknown id is connection.not_found; a SAML or OIDC connection
 * is sync.connection_not_ldap; a run of the connection still going is sync.run_in_progress (a unique
 * index on started LDAP runs decides, so two requests at once cannot both start one).
 */
@Injectable()
export class StartLdapSync {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly source: LdapSyncSource,
    @InjectQueue(QUEUES.sync) private readonly queue: Queue,
  ) {}

  async start(tenantId: string, connectionId: string, mode: 'full' | 'incremental', force: boolean, requestedBy: string): Promise<{ sync_id: string; status: 'started' }> {
    const tenant = this.runner.assertAmbientTenant(tenantId);
    const connection = await this.source.find(connectionId);
    if (!connection) throw new DomainError('connection.not_found');
    if (connection.type !== 'ldap' || !connection.ldap) throw new DomainError('sync.connection_not_ldap');
    const id = uuidv7();
    const source = ldapSource(connection.id);
    const insert = () =>
      this.runner.inTenant((uow) =>
        uow.query(
          `INSERT INTO sync_runs (id, source, mode, force, status, requested_by, users, seen_external_ids, counts, progress)
           VALUES ($1, $2, $3, $4, 'started', $5, '[]'::jsonb, '{}', '{"received": 0}'::jsonb, '{"phase": "listing", "pages": 0, "entries_read": 0}'::jsonb)`,
          [id, source, mode, force, requestedBy],
        ),
      );
    try {
      await insert();
    } catch (err) {
      if (sqlState(err) !== '23505') throw err;
      // A started run whose job is gone (Redis lost it) would refuse every later run: it is failed, and this one starts.
      if (!(await this.failOrphan(source))) throw new DomainError('sync.run_in_progress');
      await insert().catch((again: unknown) => {
        throw sqlState(again) === '23505' ? new DomainError('sync.run_in_progress') : again;
      });
    }
    const job: SyncRunJob = { tenantId: tenant.id, syncId: id };
    try {
      await this.queue.add(JOBS.ldapSync, job, { jobId: `ldap-sync-${id}`, attempts: 10, backoff: { type: 'exponential', delay: 1000 } });
    } catch (err) {
      const failure = { code: 'service.unavailable', message: 'The run could not be queued; start it again.' };
      await this.runner
        .inTenant((uow) => uow.query(`UPDATE sync_runs SET status = 'failed', failure = $2, completed_at = now() WHERE id = $1`, [id, JSON.stringify(failure)]))
        .catch(() => undefined);
      throw Object.assign(new DomainError('service.unavailable', failure.message), { cause: err });
    }
    return { sync_id: id, status: 'started' };
  }

  /** The source's started run, failed when its BullMQ job no longer exists or has ended; true when it was. */
  private async failOrphan(source: string): Promise<boolean> {
    const [run] = await this.runner.inTenant((uow) =>
      uow.query<{ id: string; mode: string }[]>(`SELECT id, mode FROM sync_runs WHERE source = $1 AND status = 'started'`, [source]),
    );
    if (!run) return true;
    const job = await this.queue.getJob(`ldap-sync-${run.id}`);
    const state = job ? await job.getState() : 'missing';
    if (!['missing', 'completed', 'failed', 'unknown'].includes(state)) return false;
    await this.runner.inTenant(async (uow) => {
      const [failed] = await uow.query<{ id: string }[]>(
        `UPDATE sync_runs SET status = 'failed', failure = $2, completed_at = now(), seen_external_ids = '{}', done_external_ids = '{}' WHERE id = $1 AND status = 'started' RETURNING id`,
        [run.id, JSON.stringify({ code: 'service.unavailable', message: 'The run was lost by the job queue; a later run replaced it.' })],
      );
      if (failed) uow.emit('sync.run.failed', subjects.syncRun(run.id), { sync_id: run.id, source, mode: run.mode as 'full' | 'incremental', error: 'service.unavailable' });
    });
    return true;
  }
}
