import { Inject, Injectable, Logger } from '@nestjs/common';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { USER_SESSIONS_REVOKER, UserSessionsRevoker } from '@credence/identity';
import { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { loadSettings } from '../../sources/load-settings';
import type { SourceSettings } from '../../sources/source-settings';
import { applyChunk, ChunkContext } from './apply-chunk';
import { changedPositions, recordsAt, recordsBetween } from './chunk-records';
import { disableMissing, findMissing } from './disable-missing';
import { addCounts, emptyCounts, RunCounts, RunError } from './run-tally';

/** Users per transaction: big enough for set-based statements to pay, small enough to hold locks briefly. */
export const CHUNK_SIZE = 500;

interface RunState {
  id: string;
  source: string;
  mode: 'full' | 'incremental';
  force: boolean;
  status: string;
  next_index: number;
  total: number;
  /** Stored with its records' (external_id, hash) pairs: unchanged records are found in SQL (changedPositions). */
  hashed: boolean;
  counts: RunCounts;
}

/**
 * Processes one stored run in the tenant in context. Each chunk commits with the run's position and
 * counts, under the source's advisory lock, so a crashed worker's retry resumes after the last
 * committed chunk and never applies one twice; two runs of one source interleave by chunk but each
 * chunk reads sync_state inside the lock. A full run first checks the disable share: refused, it
 * fails with sync.disable_share_exceeded before any write.
 */
@Injectable()
export class ProcessSyncRun {
  private readonly logger = new Logger(ProcessSyncRun.name);

  constructor(
    private readonly runner: TenantTransactionRunner,
    @Inject(USER_SESSIONS_REVOKER) private readonly revoker: UserSessionsRevoker,
  ) {}

  async process(tenantId: string, runId: string): Promise<'completed' | 'failed' | 'skipped'> {
    const tenant = this.runner.assertAmbientTenant(tenantId);
    const run = await this.runner.inTenant((uow) => this.load(uow, runId));
    if (!run || run.status !== 'started') return 'skipped';
    const lock = [{ key: `sync-source:${tenant.id}:${run.source}` }];
    const settings = await this.runner.inTenant((uow) => loadSettings(uow, run.source));

    if (run.next_index === 0) {
      const refused = await this.runner.inTenant((uow) => this.begin(uow, run, settings), { locks: lock });
      if (refused) return 'failed';
    }
    if (run.hashed) await this.applyChanged(tenant.id, run, settings, lock);
    else await this.applyAll(tenant.id, run, settings, lock);
    if (run.mode === 'full') await this.disableLeavers(tenant.id, run, settings, lock);
    await this.runner.inTenant((uow) => this.complete(uow, run.id));
    return 'completed';
  }

  /**
   * Finds the records that differ from sync_state in one statement (changedPositions), then applies
   * only those, CHUNK_SIZE per unit; the records between them are counted unchanged, never read. The
   * comparison is made under the source's lock, as a chunk's would be, and applyChunk compares each
   * record it is given again. A unit with no record to apply just advances: an unchanged run writes
   * its own row and nothing per user.
   */
  private async applyChanged(tenantId: string, run: RunState, settings: SourceSettings, locks: { key: string }[]): Promise<void> {
    let next = run.next_index;
    if (next >= run.total) return;
    const pending = await this.runner.inTenant((uow) => changedPositions(uow, run.id, run.source, next), { locks });
    let at = 0;
    do {
      const slice = pending.slice(at, at + CHUNK_SIZE);
      at += slice.length;
      const from = next;
      const upTo = at < pending.length ? slice[slice.length - 1] : run.total;
      next = await this.runner.inTenant(
        async (uow) => {
          const records = slice.length ? await recordsAt(uow, run.id, slice) : [];
          const out = records.length ? await applyChunk(this.context(uow, tenantId, run.id, settings), records) : { counts: emptyCounts(), errors: [] };
          const skipped = upTo - from - records.length;
          return this.advance(uow, run.id, upTo, addCounts(out.counts, { processed: skipped, unchanged: skipped }), out.errors);
        },
        { locks },
      );
    } while (next < run.total);
  }

  /** A run stored before record hashes were kept: every record is read, CHUNK_SIZE per unit. */
  private async applyAll(tenantId: string, run: RunState, settings: SourceSettings, locks: { key: string }[]): Promise<void> {
    let next = run.next_index;
    while (next < run.total) {
      const from = next;
      next = await this.runner.inTenant(
        async (uow) => {
          const records = await recordsBetween(uow, run.id, from, from + CHUNK_SIZE);
          const out = await applyChunk(this.context(uow, tenantId, run.id, settings), records);
          return this.advance(uow, run.id, from + CHUNK_SIZE, out.counts, out.errors);
        },
        { locks },
      );
    }
  }

  private context(uow: UnitOfWork, tenantId: string, runId: string, settings: SourceSettings): ChunkContext {
    return { uow, tenantId, runId, settings, revoker: this.revoker };
  }

  private async load(uow: UnitOfWork, id: string): Promise<RunState | undefined> {
    const [row] = await uow.query<RunState[]>(
      `SELECT id, source, mode, force, status, next_index, coalesce(cardinality(record_hashes), jsonb_array_length(users)) AS total, record_hashes IS NOT NULL AS hashed, counts
         FROM sync_runs WHERE id = $1`,
      [id],
    );
    return row;
  }

  /** sync.run.started, and for a full run the share check; true when the run was refused. */
  private async begin(uow: UnitOfWork, run: RunState, settings: SourceSettings): Promise<boolean> {
    const data = { sync_id: run.id, source: run.source, mode: run.mode };
    await uow.query(`UPDATE sync_runs SET started_at = coalesce(started_at, now()) WHERE id = $1`, [run.id]);
    uow.emit('sync.run.started', subjects.syncRun(run.id), data);
    if (run.mode !== 'full' || run.force) return false;
    const { missing, enabled } = await findMissing(uow, run.source, run.id);
    if (!missing.length || missing.length <= settings.max_disable_share * enabled) return false;
    const error = new DomainError('sync.disable_share_exceeded');
    const message = `${error.message} (${missing.length} of ${enabled} users, max_disable_share ${settings.max_disable_share})`;
    await this.fail(uow, run.id, error.code, message);
    this.logger.warn({ sync_id: run.id, source: run.source, missing: missing.length, enabled }, 'full sync refused: disable share exceeded');
    return true;
  }

  async advance(uow: UnitOfWork, id: string, next: number, counts: Partial<RunCounts>, errors: RunError[]): Promise<number> {
    const [row] = await uow.query<{ counts: RunCounts }[]>(`SELECT counts FROM sync_runs WHERE id = $1 FOR UPDATE`, [id]);
    await uow.query(`UPDATE sync_runs SET next_index = $2, counts = $3, errors = errors || $4::jsonb WHERE id = $1`, [
      id,
      next,
      JSON.stringify(addCounts(row.counts, counts)),
      JSON.stringify(errors),
    ]);
    return next;
  }

  /** A full run's end: the source's users it did not name disabled, CHUNK_SIZE per transaction (also LDAP runs). */
  async disableLeavers(tenantId: string, run: Pick<RunState, 'id' | 'source' | 'total'>, settings: SourceSettings, locks: { key: string }[]): Promise<void> {
    for (;;) {
      const more = await this.runner.inTenant(
        async (uow) => {
          const { missing } = await findMissing(uow, run.source, run.id);
          if (!missing.length) return false;
          const out = await disableMissing(this.context(uow, tenantId, run.id, settings), missing.slice(0, CHUNK_SIZE));
          await this.advance(uow, run.id, run.total, { disabled: out.disabled, failed: out.errors.length }, out.errors);
          // A user that cannot be disabled (the last admin) stays missing: stop rather than loop on it.
          return out.disabled > 0 && missing.length > CHUNK_SIZE;
        },
        { locks },
      );
      if (!more) return;
    }
  }

  /**
   * A run that will never be processed (its job failed on every attempt, or its tenant stopped being active
   * before it ran) is failed, its stored batch dropped, and sync.run.failed emitted: it must not stay `started`.
   */
  giveUp(runId: string, code: string, message: string): Promise<void> {
    return this.runner.inTenant((uow) => this.fail(uow, runId, code, message));
  }

  /** A started run marked failed with its failure, its stored batch dropped, sync.run.failed emitted. */
  private async fail(uow: UnitOfWork, runId: string, code: string, message: string): Promise<void> {
    const [run] = await uow.query<{ source: string; mode: 'full' | 'incremental' }[]>(
      `UPDATE sync_runs SET status = 'failed', failure = $2, completed_at = now(), users = '[]'::jsonb, seen_external_ids = '{}', record_keys = '{}', record_hashes = '{}'
        WHERE id = $1 AND status = 'started'
       RETURNING source, mode`,
      [runId, JSON.stringify({ code, message })],
    );
    if (run) uow.emit('sync.run.failed', subjects.syncRun(runId), { sync_id: runId, source: run.source, mode: run.mode, error: code });
  }

  /** The run marked completed, its stored batch dropped, sync.run.completed emitted (also LDAP runs). */
  async complete(uow: UnitOfWork, id: string): Promise<void> {
    const [run] = await uow.query<{ source: string; mode: 'full' | 'incremental'; counts: Record<string, number>; duration_ms: number }[]>(
      `UPDATE sync_runs SET status = 'completed', completed_at = now(), users = '[]'::jsonb, seen_external_ids = '{}', done_external_ids = '{}', record_keys = '{}', record_hashes = '{}'
        WHERE id = $1 AND status = 'started'
       RETURNING source, mode, counts, (extract(epoch FROM now() - started_at) * 1000)::int AS duration_ms`,
      [id],
    );
    if (!run) return;
    uow.emit('sync.run.completed', subjects.syncRun(id), { sync_id: id, source: run.source, mode: run.mode, counts: run.counts, duration_ms: run.duration_ms ?? 0 });
  }
}
