import { isDeepStrictEqual } from 'node:util';
import type { AppliedValues, SyncedField } from '../../batch/sync-user-record';
import { SYNCED_FIELDS } from '../../batch/sync-user-record';
import type { SourceSettings } from '../../sources/source-settings';

export interface MergeInput {
  /** What the source sends now. */
  incoming: AppliedValues;
  /** What Credence last took from this source for this user. */
  last: AppliedValues;
  /** The user as Credence has it now. */
  current: AppliedValues;
  /** The source's updated_at (ms), if it sent one. */
  sourceUpdatedAt: number | null;
  /** users.updated_at (ms): when Credence last changed the user. */
  credenceUpdatedAt: number;
}

export interface MergeOutcome {
  /** Fields to write with the source's value. */
  apply: SyncedField[];
  /** Fields changed on both sides and left for an admin (the user keeps the Credence value). */
  conflicts: SyncedField[];
  /** What to remember as last applied: the source's value, except for open conflicts. */
  remembered: AppliedValues;
}

const same = (a: unknown, b: unknown) => isDeepStrictEqual(a, b);

/**
 * Per field: a field only the source changed is applied; one only Credence changed is kept; one
 * changed on both sides (to different values) is a conflict, which the strategy settles:
 * source_wins applies the source; timestamp applies the newer side, and within the tolerance (or
 * without a source updated_at) keeps it open; manual keeps it open.
 */
export function mergeFields(input: MergeInput, settings: SourceSettings): MergeOutcome {
  const { incoming, last, current } = input;
  const apply: SyncedField[] = [];
  const conflicts: SyncedField[] = [];
  const remembered = { ...incoming } as Record<SyncedField, unknown>;
  for (const f of SYNCED_FIELDS) {
    if (same(incoming[f], current[f])) continue;
    const sourceChanged = !same(incoming[f], last[f]);
    if (!sourceChanged) continue; // Credence changed it since: Credence keeps it
    const credenceChanged = !same(current[f], last[f]);
    if (!credenceChanged || settings.conflict_strategy === 'source_wins') {
      apply.push(f);
      continue;
    }
    if (settings.conflict_strategy === 'timestamp' && input.sourceUpdatedAt !== null) {
      const lead = input.sourceUpdatedAt - input.credenceUpdatedAt;
      if (lead > settings.timestamp_tolerance_ms) {
        apply.push(f);
        continue;
      }
      if (lead < -settings.timestamp_tolerance_ms) continue; // Credence is newer: keep it, remember the source's value
    }
    conflicts.push(f);
    remembered[f] = last[f];
  }
  return { apply, conflicts, remembered: remembered as unknown as AppliedValues };
}
