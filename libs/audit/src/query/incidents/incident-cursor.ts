import { DomainError } from '@credence/errors';
import { strictIsoInstant } from '@credence/http';

/** Position of an incident in newest-first order: detected_at (microseconds) and id. */
export interface IncidentPosition {
  at: string;
  id: string;
}

const RAW = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export const encodeIncidentCursor = (p: IncidentPosition) => Buffer.from(`${p.at}|${p.id}`, 'utf8').toString('base64url');

export function decodeIncidentCursor(cursor: string | undefined): IncidentPosition | null {
  if (!cursor) return null;
  const m = RAW.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m || strictIsoInstant(m[1]) === null) throw new DomainError('validation.failed', undefined, [{ field: 'cursor', issue: 'cursor is not one this API issued' }]);
  return { at: m[1], id: m[2] };
}
