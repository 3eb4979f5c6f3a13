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
});
