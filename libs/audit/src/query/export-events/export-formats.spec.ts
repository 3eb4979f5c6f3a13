import type { AuditEvent } from '../shared/audit-event';
import { csvCell, csvLine, FORMATS } from './export-formats';

describe('export formats', () => {
  it('quotes cells as RFC 4180 says', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(42)).toBe('42');
    expect(csvCell({ a: 'x,y' })).toBe('"{""a"":""x,y""}"');
  });

  it.each(['=1+1', '+cmd', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])('neutralises a cell a spreadsheet would evaluate: %j', (cell) => {
    const out = csvCell(cell);
    expect(out.replace(/^"/, '').startsWith("'")).toBe(true);
  });

  it('quotes a neutralised cell that also needs quotes', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
  });

  it('ends records in CRLF', () => {
    expect(csvLine(['a', null, 'b'])).toBe('a,,b\r\n');
  });

  it('writes one JSON object per line in ndjson and one CSV record per event', () => {
    const e: AuditEvent = {
      seq: 7,
      event_id: 'e',
      type: 'auth.login.failed',
      occurred_at: '2026-01-01T00:00:00.000Z',
      recorded_at: '2026-01-01T00:00:00.001Z',
      source: 'credence/auth',
      actor: { type: 'system', id: null },
      subject: 'user/u',
      user_id: null,
      outcome: 'failure',
      severity: 'medium',
      ip: '***',
      user_agent: null,
      location: null,
      trace_id: null,
      data: { email: '***', reason: '=cmd' },
    };
    expect(JSON.parse(FORMATS.ndjson.record(e))).toEqual(e);
    expect(FORMATS.ndjson.record(e).endsWith('}\n')).toBe(true);
    expect(FORMATS.csv.record(e)).toBe(
      '7,e,auth.login.failed,2026-01-01T00:00:00.000Z,2026-01-01T00:00:00.001Z,credence/auth,system,,user/u,,failure,medium,***,,,,"{""email"":""***"",""reason"":""=cmd""}"\r\n',
    );
    expect(FORMATS.csv.header.split(',')).toHaveLength(17);
  });
});
