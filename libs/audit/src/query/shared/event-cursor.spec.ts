import { DomainError } from '@credence/errors';
import { decodeEventCursor, encodeEventCursor } from './event-cursor';

describe('event cursor', () => {
  it('round-trips a position with microseconds', () => {
    const p = { at: '2026-03-01T10:20:30.123456Z', seq: '9007199254740993' };
    const cursor = encodeEventCursor(p);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeEventCursor(cursor)).toEqual(p);
  });

  it('treats an absent cursor as the first page', () => {
    expect(decodeEventCursor(undefined)).toBeNull();
    expect(decodeEventCursor('')).toBeNull();
  });

  it.each(['abc', Buffer.from('2026-03-01T10:20:30.123Z|5').toString('base64url'), Buffer.from("2026-03-01T10:20:30.123456Z|1' OR 1=1").toString('base64url')])(
    'refuses a cursor it did not issue (%s)',
    (cursor) => {
      expect(() => decodeEventCursor(cursor)).toThrow(DomainError);
    },
  );

  it.each([
    ['a seq past bigint', '2026-03-01T10:20:30.123456Z|9999999999999999999'],
    ['Feb 30', '2026-02-30T10:20:30.123456Z|5'],
    ['month 99', '2026-99-01T10:20:30.123456Z|5'],
    ['hour 24', '2026-03-01T24:00:00.000000Z|5'],
  ])('refuses a cursor Postgres could not read (%s) with validation.failed', (_, raw) => {
    expect(() => decodeEventCursor(Buffer.from(raw).toString('base64url'))).toThrow(expect.objectContaining({ code: 'validation.failed' }));
  });

  it('takes the largest bigint seq', () => {
    const p = { at: '2026-03-01T10:20:30.123456Z', seq: '9223372036854775807' };
    expect(decodeEventCursor(encodeEventCursor(p))).toEqual(p);
  });
});
