import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { v7 as uuidv7 } from 'uuid';
import { DomainError } from '@credence/errors';
import { JOBS, QUEUES, SyncRunJob } from '@credence/queues';
import { TenantTransactionRunner } from '@credence/tenancy';
import { checkBatch, contentHash } from '../../batch/sync-user-record';
import { isLdapSource } from '../../ldap-sync/ldap-source';
import { SOURCE_PATTERN } from '../../sources/source-settings';

/** The most users one request may carry; bigger directories send several incremental requests. */
export const MAX_BATCH_USERS = 10_000;
/** The body limit of POST /sync/users alone (10,000 users with a few attributes each). */
export const SYNC_BATCH_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export interface SubmitBatchInput {
  source: string;
  mode: 'full' | 'incremental';
  force: boolean;
  users: unknown[];
}

const invalid = (field: string, issue: string) => new DomainError('validation.failed', undefined, [{ field, issue }]);

/** The request's shape; each user is checked on its own later (a bad record fails alone). */
export function parseBatch(body: unknown): SubmitBatchInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new DomainError('validation.failed', 'The body must be a JSON object.');
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).find((k) => !['source', 'mode', 'force', 'users'].includes(k));
  if (unknown !== undefined) throw invalid(unknown.slice(0, 64), 'unknown field');
  if (typeof b.source !== 'string' || !SOURCE_PATTERN.test(b.source)) throw invalid('source', `source must match ${SOURCE_PATTERN.source}`);
  // ldap-<connection id> is an LDAP connection's own source (its runs come from the directory, one at a time).
  if (isLdapSource(b.source)) throw invalid('source', "ldap-<connection id> is an LDAP connection's source: start its runs with POST /connections/{id}/sync");
  if (b.mode !== 'full' && b.mode !== 'incremental') throw invalid('mode', 'mode must be full or incremental');
  if (b.force !== undefined && typeof b.force !== 'boolean') throw invalid('force', 'force must be a boolean');
  if (!Array.isArray(b.users) || b.users.length === 0 || b.users.length > MAX_BATCH_USERS) {
    throw invalid('users', `users must be an array of 1-${MAX_BATCH_USERS} users`);
  }
  return { source: b.source, mode: b.mode, force: b.force === true, users: b.users };
}

/**
 * Stores the batch as a run (refused records already listed in its errors) and queues its job; the
 * job id is the run id, so the run is processed once however often the job is retried. Each record's
 * external_id and content hash are stored beside the records, in their order (record_keys,
 * record_hashes), so the worker finds the changed ones in SQL without reading the others back.
 */
@Injectable()
export class SubmitBatch {
  constructor(
    private readonly runner: TenantTransactionRunner,
    @InjectQueue(QUEUES.sync) private readonly queue: Queue,
  ) {}

  async submit(tenantId: string, requestedBy: string, input: SubmitBatchInput): Promise<{ sync_id: string; status: 'started' }> {
    const tenant = this.runner.assertAmbientTenant(tenantId);
    const { records, errors, seen } = checkBatch(input.users);
    const id = uuidv7();
    await this.runner.inTenant((uow) =>
      uow.query(
        `INSERT INTO sync_runs (id, source, mode, force, status, requested_by, users, seen_external_ids, counts, errors, record_keys, record_hashes)
         VALUES ($1, $2, $3, $4, 'started', $5, $6, $7, $8, $9, $10, $11)`,
        [
          id,
          input.source,
          input.mode,
          input.force,
          requestedBy,
          JSON.stringify(records),
          seen,
          JSON.stringify({ received: input.users.length, failed: errors.length }),
          JSON.stringify(errors),
          records.map((r) => r.external_id),
          records.map(contentHash),
        ],
      ),
    );
    const job: SyncRunJob = { tenantId: tenant.id, syncId: id };
    try {
      await this.queue.add(JOBS.syncRun, job, { jobId: `sync-run-${id}`, attempts: 10, backoff: { type: 'exponential', delay: 1000 } });
    } catch (err) {
      // Not queued, so never processed: the run must not stay `started` for ever.
      const failure = { code: 'service.unavailable', message: 'The run could not be queued; send the batch again.' };
      await this.runner
        .inTenant((uow) =>
          uow.query(`UPDATE sync_runs SET status = 'failed', failure = $2, users = '[]'::jsonb, record_keys = '{}', record_hashes = '{}', completed_at = now() WHERE id = $1`, [
            id,
            JSON.stringify(failure),
          ]),
        )
        .catch(() => undefined);
      throw Object.assign(new DomainError('service.unavailable', failure.message), { cause: err });
    }
    return { sync_id: id, status: 'started' };
  }
}
