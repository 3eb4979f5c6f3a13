import { v7 as uuidv7 } from 'uuid';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { UserSessionsRevoker } from '@credence/identity';
import { UnitOfWork } from '@credence/tenancy';
import { AppliedValues, appliedValues, contentHash, SyncUserRecord } from '../../batch/sync-user-record';
import type { SourceSettings } from '../../sources/source-settings';
import { recordConflicts } from './conflict-writes';
import { mergeFields } from './field-merge';
import { emptyCounts, RunCounts, RunError } from './run-tally';
import { lockUsers } from './user-locks';
import { lockCurrentUsers, writeUser } from './user-writes';

interface StateRow {
  external_id: string;
  user_id: string;
  content_hash: string;
  applied: AppliedValues;
}

interface StateWrite {
  external_id: string;
  user_id: string;
  content_hash: string;
  applied: AppliedValues;
  groups: string[];
  source_updated_at: string | null;
  status: 'ok' | 'conflict' | 'error';
  last_error: RunError | null;
  created?: boolean;
}

export interface ChunkOutcome {
  counts: RunCounts;
  errors: RunError[];
  changed: { external_id: string; user_id: string; groups: string[]; created: boolean }[];
}

export interface ChunkContext {
  uow: UnitOfWork;
  tenantId: string;
  runId: string;
  settings: SourceSettings;
  revoker: UserSessionsRevoker;
}

/**
 * Applies one chunk of a run in the caller's unit of work (which holds the source's lock): one read of
 * the chunk's sync_state, records whose content hash is unchanged skipped, new ones inserted in one
 * statement, changed ones merged field by field and written one by one, sync_state upserted in one
 * statement. Emits what identity's commands emit, with the run's actor (`sync:<source>`).
 */
export async function applyChunk(ctx: ChunkContext, records: SyncUserRecord[]): Promise<ChunkOutcome> {
  const { uow, settings } = ctx;
  const counts = emptyCounts();
  const errors: RunError[] = [];
  const states = await uow.query<StateRow[]>(
    `SELECT external_id, user_id, content_hash, applied FROM sync_state WHERE source = $1 AND entity = 'user' AND external_id = ANY ($2::text[])`,
    [settings.source, records.map((r) => r.external_id)],
  );
  const byId = new Map(states.map((s) => [s.external_id, s]));
  const writes: StateWrite[] = [];
  const creates: { record: SyncUserRecord; hash: string }[] = [];
  const updates: { record: SyncUserRecord; hash: string; state: StateRow }[] = [];
  for (const record of records) {
    const hash = contentHash(record);
    const state = byId.get(record.external_id);
    if (!state) creates.push({ record, hash });
    else if (state.content_hash === hash) counts.unchanged += 1;
    else updates.push({ record, hash, state });
  }

  await createUsers(ctx, creates, writes, errors, counts);
  await updateUsers(ctx, updates, writes, errors, counts);

  if (writes.length) {
    await uow.query(
      `INSERT INTO sync_state (source, entity, external_id, user_id, content_hash, applied, groups, source_updated_at, status, last_error, last_run_id)
       SELECT $1, 'user', w.external_id, w.user_id, w.content_hash, w.applied, w.groups, w.source_updated_at, w.status, w.last_error, $3
         FROM jsonb_to_recordset($2::jsonb) AS w(external_id text, user_id uuid, content_hash text, applied jsonb, groups text[], source_updated_at timestamptz, status text, last_error jsonb)
       ON CONFLICT (source, entity, external_id) DO UPDATE SET content_hash = EXCLUDED.content_hash, applied = EXCLUDED.applied, groups = EXCLUDED.groups,
         source_updated_at = EXCLUDED.source_updated_at, status = EXCLUDED.status, last_error = EXCLUDED.last_error, last_run_id = EXCLUDED.last_run_id,
         version = sync_state.version + 1, last_synced_at = now()`,
      [settings.source, JSON.stringify(writes), ctx.runId],
    );
  }
  // Unchanged records are not written at all (not even a last-seen stamp): an unchanged re-run only reads.
  counts.failed = errors.length;
  counts.processed = records.length - errors.length;
  // The records taken with new content (created, or updated in any way, groups included): what a caller's own rules follow.
  const changed = writes.filter((w) => w.status !== 'error').map((w) => ({ external_id: w.external_id, user_id: w.user_id, groups: w.groups, created: w.created === true }));
  return { counts, errors, changed };
}

async function createUsers(ctx: ChunkContext, creates: { record: SyncUserRecord; hash: string }[], writes: StateWrite[], errors: RunError[], counts: RunCounts) {
  if (!creates.length) return;
  const rows = creates.map(({ record }) => ({ id: uuidv7(), ...appliedValues(record) }));
  const inserted = await ctx.uow.query<{ id: string }[]>(
    `INSERT INTO users (id, email, username, display_name, status, attributes)
     SELECT x.id, x.email, x.username, x.display_name, x.status, x.attributes
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, email text, username text, display_name text, status text, attributes jsonb)
     ON CONFLICT DO NOTHING RETURNING id`,
    [JSON.stringify(rows)],
  );
  const created = new Set(inserted.map((r) => r.id));
  creates.forEach(({ record, hash }, i) => {
    const row = rows[i];
    if (!created.has(row.id)) {
      errors.push({ external_id: record.external_id, code: 'user.already_exists', message: 'Another user has this e-mail address or username.' });
      return;
    }
    const { id, ...applied } = row;
    ctx.uow.emit('user.created', subjects.user(id), { user_id: id, email: row.email, username: row.username, status: row.status });
    writes.push({
      external_id: record.external_id,
      user_id: id,
      content_hash: hash,
      applied,
      groups: record.groups,
      source_updated_at: record.updated_at,
      status: 'ok',
      last_error: null,
      created: true,
    });
    counts.created += 1;
  });
}

async function updateUsers(ctx: ChunkContext, updates: { record: SyncUserRecord; hash: string; state: StateRow }[], writes: StateWrite[], errors: RunError[], counts: RunCounts) {
  if (!updates.length) return;
  const ids = updates.map((u) => u.state.user_id);
  await lockUsers(ctx.uow, ctx.tenantId, ids);
  const current = await lockCurrentUsers(ctx.uow, ids);
  for (const { record, hash, state } of updates) {
    const user = current.get(state.user_id);
    if (!user) continue; // deleted meanwhile: its sync_state row went with it (ON DELETE CASCADE)
    const incoming = appliedValues(record);
    const merge = mergeFields(
      { incoming, last: state.applied, current: user, sourceUpdatedAt: record.updated_at ? Date.parse(record.updated_at) : null, credenceUpdatedAt: user.updated_ms },
      ctx.settings,
    );
    const base = { external_id: record.external_id, user_id: user.id, groups: record.groups, source_updated_at: record.updated_at };
    try {
      await writeUser(ctx.uow, ctx.tenantId, ctx.revoker, user, incoming, merge.apply);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const error = { external_id: record.external_id, code: err.code, message: err.message };
      errors.push(error);
      // The old hash stays, so the next run tries this record again.
      writes.push({ ...base, content_hash: state.content_hash, applied: state.applied, status: 'error', last_error: error });
      continue;
    }
    if (merge.conflicts.length) {
      counts.conflicts += await recordConflicts(ctx, record, user, incoming, merge.conflicts);
    }
    if (merge.apply.length) counts.updated += 1;
    else counts.unchanged += 1;
    writes.push({ ...base, content_hash: hash, applied: merge.remembered, status: merge.conflicts.length ? 'conflict' : 'ok', last_error: null });
  }
}
