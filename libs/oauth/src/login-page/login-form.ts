import { PageError } from '../pages/page-error';

/** Why a posted form cannot be read; the page answers 400 (or 415 for the media type). */
export class UnreadableForm extends PageError {
  constructor(status: 400 | 415) {
    super(status, status === 415 ? 'Send the form as application/x-www-form-urlencoded.' : 'The form could not be read.');
  }
}

const MAX_LENGTH: Record<string, number> = { interaction: 36, csrf: 64, email: 254, username: 254, password: 256, code: 16, connection: 100 };

/** Control characters never belong in a field the page sends (a password may hold any other character). */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Longer than `max` code points, as the API's validation counts (a password of 256 emoji is 512 UTF-16 units). */
function tooLong(value: string, max: number): boolean {
  return value.length > max && (value.length > 2 * max || [...value].length > max);
}

/**
 * The named fields of a hosted-page form: only a form body (a JSON body is refused, so only a real form
 * post counts), each field a string within its limit and without control characters. Missing fields
 * are ''.
 */
export function readForm<K extends keyof typeof MAX_LENGTH>(contentType: string | undefined, body: unknown, names: readonly K[]): Record<K, string> {
  if (!contentType || contentType.split(';')[0].trim().toLowerCase() !== 'application/x-www-form-urlencoded') throw new UnreadableForm(415);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new UnreadableForm(400);
  const fields = body as Record<string, unknown>;
  const out = {} as Record<K, string>;
  for (const name of names) {
    const value = Object.hasOwn(fields, name) ? fields[name] : '';
    if (typeof value !== 'string' || tooLong(value, MAX_LENGTH[name]) || CONTROL.test(value)) throw new UnreadableForm(400);
    out[name] = value;
  }
  return out;
}

/**
 * An e-mail address as the page accepts it: something@domain, no spaces. Trimmed, not lower-cased:
 * sign-in lower-cases it in Postgres, on both sides, and a lower-casing here would not be Postgres's.
 */
export function normalisedEmail(value: string): string | undefined {
  const email = value.trim();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : undefined;
}

export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}
