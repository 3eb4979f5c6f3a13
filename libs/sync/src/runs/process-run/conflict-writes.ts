import { v7 as uuidv7 } from 'uuid';
import { subjects } from '@credence/contracts';
import type { AppliedValues, SyncedField, SyncUserRecord } from '../../batch/sync-user-record';
import type { ChunkContext } from './apply-chunk';
import type { CurrentUser } from './user-writes';

/**
 * Keeps each field changed on both sides as an open conflict (one per source, external id and field:
 * a later run updates the open one's values). sync.conflict.detected for each new one. Returns how many are new.
 */
export async function recordConflicts(ctx: ChunkContext, record: SyncUserRecord, user: CurrentUser, incoming: AppliedValues, fields: SyncedField[]): Promise<number> {
  const rows = fields.map((field) => ({ id: uuidv7(), field, source_value: incoming[field], credence_value: user[field] }));
  const kept = await ctx.uow.query<{ id: string; field: string; inserted: boolean }[]>(
    `INSERT INTO sync_conflicts (id, source, external_id, user_id, field, source_value, credence_value, source_updated_at, run_id)
     SELECT c.id, $1, $2, $3, c.field, c.source_value, c.credence_value, $4, $5
       FROM jsonb_to_recordset($6::jsonb) AS c(id uuid, field text, source_value jsonb, credence_value jsonb)
     ON CONFLICT (source, external_id, field) WHERE status = 'open'
       DO UPDATE SET source_value = EXCLUDED.source_value, credence_value = EXCLUDED.credence_value, source_updated_at = EXCLUDED.source_updated_at, run_id = EXCLUDED.run_id
     RETURNING id, field, (xmax = 0) AS inserted`,
    [ctx.settings.source, record.external_id, user.id, record.updated_at, ctx.runId, JSON.stringify(rows)],
  );
  let fresh = 0;
  for (const k of kept.filter((r) => r.inserted)) {
    fresh += 1;
    ctx.uow.emit('sync.conflict.detected', subjects.syncConflict(k.id), {
      conflict_id: k.id,
      source: ctx.settings.source,
      external_id: record.external_id,
      user_id: user.id,
      field: k.field,
    });
  }
  return fresh;
}
