import { isStrictInstant } from './strict-instant';

describe('isStrictInstant', () => {
  it.each(['2026-03-01T12:00:00Z', '2024-02-29T23:59:59.123Z', '2026-03-01T12:00:00.123456+02:00', '2026-12-31T00:00:00-23:59'])('accepts %s', (v) => {
    expect(isStrictInstant(v)).toBe(true);
  });

  it.each([
    '2026-02-31T00:00:00Z', // no such day
    '2025-02-29T00:00:00Z', // not a leap year
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-03-01T24:00:00Z',
    '2026-03-01T12:60:00Z',
    '2026-03-01T12:00:60Z',
    '2026-03-01T12:00:00+24:00',
    '2026-03-01T12:00:00', // no zone
    '2026-03-01',
    '2026-03-01 12:00:00Z',
    '+002026-03-01T12:00:00Z',
    '2026-03-01T12:00:00Z\u0000',
    '1772366400',
    '',
  ])('refuses %j', (v) => {
    expect(isStrictInstant(v)).toBe(false);
  });

  it('refuses what is not a string', () => {
    for (const v of [null, undefined, 1772366400000, {}, ['2026-03-01T12:00:00Z']]) expect(isStrictInstant(v)).toBe(false);
  });
});
