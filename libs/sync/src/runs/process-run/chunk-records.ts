import { UnitOfWork } from '@credence/tenancy';
import type { SyncUserRecord } from '../../batch/sync-user-record';

/**
 * Positions (1-based) after `after` whose record differs from what sync_state holds for its
 * external_id, or that sync_state does not know: the run's stored (external_id, hash) pairs joined
 * with the source's sync_state in one statement, so an unchanged record costs a row of a hash join
 * and nothing in Node.
 */
const CHANGED_POSITIONS = `
  SELECT b.n::int AS n
    FROM unnest((SELECT record_keys FROM sync_runs WHERE id = $1), (SELECT record_hashes FROM sync_runs WHERE id = $1)) WITH ORDINALITY AS b(external_id, hash, n)
    LEFT JOIN sync_state s ON s.source = $2 AND s.entity = 'user' AND s.external_id = b.external_id
   WHERE b.n > $3 AND s.content_hash IS DISTINCT FROM b.hash
   ORDER BY b.n`;

/**
 * Inside the source's lock. The planner cannot size the unnested arrays, and before autovacuum has
 * analysed a freshly filled sync_state it sizes the source's rows at one: it then picks a nested loop
 * probing sync_state by (source, entity) for every record (10,000 x 10,000 row visits, tens of
 * seconds). Nested loops are turned off for this unit only, which leaves a hash join.
 */
export async function changedPositions(uow: UnitOfWork, runId: string, source: string, after: number): Promise<number[]> {
  await uow.query(`SET LOCAL enable_nestloop = off`);
  const rows = await uow.query<{ n: number }[]>(CHANGED_POSITIONS, [runId, source, after]);
  return rows.map((r) => r.n);
}

/** The records at these positions (ascending), in order: one pass over the stored batch. */
export async function recordsAt(uow: UnitOfWork, runId: string, positions: number[]): Promise<SyncUserRecord[]> {
  const rows = await uow.query<{ r: SyncUserRecord }[]>(
    `SELECT r FROM sync_runs, jsonb_array_elements(users) WITH ORDINALITY AS e(r, n) WHERE id = $1 AND n BETWEEN $3 AND $4 AND n = ANY ($2::bigint[]) ORDER BY n`,
    [runId, positions, positions[0], positions[positions.length - 1]],
  );
  return rows.map((x) => x.r);
}

/** The records of positions (from, to], for a run stored before record hashes were kept. */
export async function recordsBetween(uow: UnitOfWork, runId: string, from: number, to: number): Promise<SyncUserRecord[]> {
  const rows = await uow.query<{ r: SyncUserRecord }[]>(
    `SELECT r FROM sync_runs, jsonb_array_elements(users) WITH ORDINALITY AS e(r, n) WHERE id = $1 AND n > $2 AND n <= $3 ORDER BY n`,
    [runId, from, to],
  );
  return rows.map((x) => x.r);
}
