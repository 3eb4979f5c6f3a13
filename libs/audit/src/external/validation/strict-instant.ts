import { ValidateBy, ValidationOptions } from 'class-validator';

// A minimal local check until libs/http has a shared strict-date validator (issue 10, item 5).
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * An RFC 3339 date-time with a zone that names a real instant: 2026-02-31, hour 24, second 60
 * (leap seconds) and offsets past 23:59 are refused, where Date.parse would roll them over.
 */
export function isStrictInstant(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = INSTANT.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const [offsetHours, offsetMinutes] = [Number(m[7] ?? 0), Number(m[8] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return false;
  return Number.isFinite(Date.parse(value));
}

export const IsStrictInstant = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isStrictInstant',
      validator: {
        validate: (value) => isStrictInstant(value),
        defaultMessage: (args) => `${args?.property} must be an RFC 3339 date-time with a time zone, e.g. 2026-03-01T12:00:00Z, naming a real date`,
      },
    },
    options,
  );

/** The instant lies within [now - maxPastMs, now + maxFutureMs]; checked only once the value is a strict instant. */
export const IsWithinWindow = (maxPastMs: number, maxFutureMs: number, options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isWithinWindow',
      validator: {
        validate: (value) => {
          if (!isStrictInstant(value)) return true; // IsStrictInstant reports it
          const at = Date.parse(value);
          const now = Date.now();
          return at >= now - maxPastMs && at <= now + maxFutureMs;
        },
        defaultMessage: (args) =>
          `${args?.property} must lie between ${Math.round(maxPastMs / 86_400_000)} days ago and ${Math.round(maxFutureMs / 60_000)} minutes from now`,
      },
    },
    options,
  );
