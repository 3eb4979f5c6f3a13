import { ValidationOptions, registerDecorator } from 'class-validator';

/** RFC 3339 date-time: `T` (or `t`, or a space) between date and time, and a zone `Z`/`z` or `±hh:mm`. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
/** Postgres refuses a time zone displacement beyond ±15:59. */
const MAX_OFFSET_MINUTES = 15 * 60 + 59;

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * The instant (milliseconds since the epoch) an RFC 3339 date-time names, or null when the text is
 * not one or names no real instant: Feb 30, month 13, hour 24, a leap second (`:60`, which neither
 * JavaScript nor Postgres keeps), year 0000, an offset Postgres cannot store, or an instant whose
 * UTC form leaves the years 0001–9999. Whatever passes is read the same by JavaScript and Postgres.
 */
export function strictIsoInstant(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = RFC3339.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (m[8]) {
    const [oh, om] = [Number(m[9]), Number(m[10])];
    if (om > 59) return null;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (oh * 60 + om);
    if (Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) return null;
  }
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day); // not Date.UTC: it reads years 0–99 as 1900–1999
  local.setUTCHours(hour, minute, second, m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0);
  const instant = local.getTime() - offsetMinutes * 60_000;
  const utcYear = new Date(instant).getUTCFullYear();
  return utcYear >= 1 && utcYear <= 9999 ? instant : null;
}

/**
 * An RFC 3339 date-time that names a real instant (see `strictIsoInstant`). Use it for every date
 * in a query or body: a format check alone lets `2026-02-31T00:00:00Z` through to Postgres, which
 * refuses it with an error that would otherwise surface as a 500.
 */
export function IsStrictIsoDate(options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: 'isStrictIsoDate',
      target: object.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be an RFC 3339 date-time with a time zone that names a real instant (e.g. 2026-03-01T00:00:00Z)`, ...options },
      validator: { validate: (value: unknown) => strictIsoInstant(value) !== null },
    });
}
