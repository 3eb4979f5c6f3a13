import { DomainError } from '@credence/errors';
import { strictIsoInstant } from '@credence/http';

/** Position of a row in newest-first order: its occurred_at (microseconds, as Postgres stores it) and seq. */
export interface EventPosition {
  at: string;
  seq: string;
}

const RAW = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|(\d{1,19})$/;
/** seq is a Postgres bigint. */
const MAX_SEQ = 2n ** 63n - 1n;

/** SQL for a row's `at`: full precision, so a keyset page never skips or repeats rows of the same millisecond. */
export const POSITION_AT_SQL = `to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Cursors are opaque to clients: the last row's (occurred_at, seq), base64url-encoded. */
export function encodeEventCursor(p: EventPosition): string {
  return Buffer.from(`${p.at}|${p.seq}`, 'utf8').toString('base64url');
}

export function decodeEventCursor(cursor: string | undefined, field = 'cursor'): EventPosition | null {
  if (!cursor) return null;
  const m = RAW.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  // Postgres refuses what a looser check lets through: Feb 30 (Date.parse reads it as Mar 2), a seq past bigint.
  if (!m || strictIsoInstant(m[1]) === null || BigInt(m[2]) > MAX_SEQ) {
    throw new DomainError('validation.failed', undefined, [{ field, issue: 'cursor is not one this API issued' }]);
  }
  return { at: m[1], seq: m[2] };
}
