import type { AuditEvent } from '../shared/audit-event';

export type ExportFormat = 'ndjson' | 'csv';

/** CSV columns, in order; `data` holds the event data as JSON. */
export const CSV_COLUMNS = [
  'seq',
  'event_id',
  'type',
  'occurred_at',
  'recorded_at',
  'source',
  'actor_type',
  'actor_id',
  'subject',
  'user_id',
  'outcome',
  'severity',
  'ip',
  'user_agent',
  'location',
  'trace_id',
  'data',
] as const;

/** A cell a spreadsheet would run as a formula (=, +, -, @, or a tab/CR that hides one) gets a leading apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV cell: null is empty, objects are JSON; RFC 4180 quoting, formula injection neutralised. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Records end in CRLF (RFC 4180). */
export const csvLine = (cells: readonly unknown[]) => `${cells.map(csvCell).join(',')}\r\n`;

export function csvRecord(e: AuditEvent): string {
  return csvLine([
    e.seq,
    e.event_id,
    e.type,
    e.occurred_at,
    e.recorded_at,
    e.source,
    e.actor.type,
    e.actor.id,
    e.subject,
    e.user_id,
    e.outcome,
    e.severity,
    e.ip,
    e.user_agent,
    e.location,
    e.trace_id,
    e.data,
  ]);
}

export const FORMATS: Record<ExportFormat, { contentType: string; extension: string; header: string; record: (e: AuditEvent) => string }> = {
  ndjson: { contentType: 'application/x-ndjson', extension: 'ndjson', header: '', record: (e) => `${JSON.stringify(e)}\n` },
  csv: { contentType: 'text/csv; charset=utf-8', extension: 'csv', header: csvLine(CSV_COLUMNS), record: csvRecord },
};
