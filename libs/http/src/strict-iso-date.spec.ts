import { strictIsoInstant } from './strict-iso-date';

describe('strictIsoInstant', () => {
  it.each([
    ['2026-03-01T00:00:00Z', Date.UTC(2026, 2, 1)],
    ['2026-03-01t00:00:00z', Date.UTC(2026, 2, 1)],
    ['2026-03-01 00:00:00Z', Date.UTC(2026, 2, 1)],
    ['2024-02-29T23:59:59.999Z', Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['2026-03-01T10:20:30.123456Z', Date.UTC(2026, 2, 1, 10, 20, 30, 123)],
    ['2026-03-01T01:00:00+01:00', Date.UTC(2026, 2, 1)],
    ['2026-02-28T20:30:00-03:30', Date.UTC(2026, 2, 1)],
    ['0001-01-01T00:00:00Z', -62135596800000],
    ['9999-12-31T23:59:59.999999999Z', 253402300799999],
  ])('reads %s as the instant JavaScript and Postgres read', (text, instant) => {
    expect(strictIsoInstant(text)).toBe(instant);
    expect(strictIsoInstant(text)).toBe(Date.parse(text.replace(' ', 'T')));
  });

  it.each([
    ['Feb 30', '2026-02-30T00:00:00Z'],
    ['Feb 31', '2026-02-31T00:00:00Z'],
    ['Feb 29 in a common year', '2026-02-29T00:00:00Z'],
    ['Feb 29 in 1900', '1900-02-29T00:00:00Z'],
    ['April 31', '2026-04-31T00:00:00Z'],
    ['month 00', '2026-00-10T00:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['month 99', '2026-99-01T00:00:00Z'],
    ['day 00', '2026-01-00T00:00:00Z'],
    ['hour 24', '2026-01-01T24:00:00Z'],
    ['minute 60', '2026-01-01T00:60:00Z'],
    ['a leap second', '2016-12-31T23:59:60Z'],
    ['year 0000', '0000-01-01T00:00:00Z'],
    ['before year 1 once the offset applies', '0001-01-01T00:00:00+01:00'],
    ['after year 9999 once the offset applies', '9999-12-31T23:30:00-01:00'],
    ['an offset Postgres cannot store', '2026-01-01T00:00:00+16:00'],
    ['an offset of 60 minutes', '2026-01-01T00:00:00+01:60'],
    ['no time zone', '2026-01-01T00:00:00'],
    ['no seconds', '2026-01-01T00:00Z'],
    ['a date alone', '2026-01-01'],
    ['an offset without a colon', '2026-01-01T00:00:00+0100'],
    ['ten fraction digits', '2026-01-01T00:00:00.1234567890Z'],
    ['a five-digit year', '12026-01-01T00:00:00Z'],
    ['a week date', '2026-W01-1T00:00:00Z'],
    ['trailing text', '2026-01-01T00:00:00Z\n'],
    ['a number', 1767225600000],
    ['an array', ['2026-01-01T00:00:00Z']],
  ])('refuses %s', (_, value) => {
    expect(strictIsoInstant(value)).toBeNull();
  });
});
