import { createHash } from 'node:crypto';
import { DomainError } from '@credence/errors';
import { UnitOfWork } from '@credence/tenancy';
import { simpleLowerCase } from '../users/simple-lower-case';

export type OtpChannel = 'email' | 'sms';

/** Where a code goes: an e-mail address (trimmed, as typed) or an E.164 phone number. */
export interface OtpDestination {
  channel: OtpChannel;
  value: string;
}

export interface OtpUser {
  id: string;
  email: string;
  phone: string | null;
  username: string | null;
  display_name: string | null;
  status: 'invited' | 'active' | 'disabled';
  /** Seconds the account stays locked, 0 when it is not. */
  locked_for: number;
}

/** The request names exactly one of email and phone; the DTOs have validated each format. */
export function destinationOf(input: { email?: string; phone?: string }): OtpDestination {
  if (input.email !== undefined && input.phone !== undefined) {
    throw new DomainError('validation.failed', undefined, [{ issue: 'send email or phone, not both' }]);
  }
  if (input.phone !== undefined) return { channel: 'sms', value: input.phone };
  // Not lower-cased here: JavaScript and Postgres lower-case some letters differently ('İ', a final 'Σ'), so the
  // lookup lower-cases in SQL, on both sides, and the Redis keys as Postgres would (destinationKey).
  return { channel: 'email', value: input.email!.trim() };
}

/** A short, stable, non-reversible name for a destination, for Redis keys (never the address itself). */
export function destinationKey(d: OtpDestination): string {
  const value = d.channel === 'email' ? simpleLowerCase(d.value) : d.value;
  return createHash('sha256').update(`${d.channel}:${value}`).digest('hex').slice(0, 32);
}

/** The account a destination belongs to; `forUpdate` serialises code requests of one user. */
export async function findOtpUser(uow: UnitOfWork, d: OtpDestination, forUpdate = false): Promise<OtpUser | undefined> {
  const where = d.channel === 'email' ? 'lower(email) = lower($1)' : 'phone = $1';
  const [user] = await uow.query<OtpUser[]>(
    `SELECT id, email, phone, username, display_name, status,
            greatest(0, ceil(extract(epoch FROM coalesce(locked_until, now()) - now())))::int AS locked_for
       FROM users WHERE ${where} LIMIT 1${forUpdate ? ' FOR UPDATE' : ''}`,
    [d.value],
  );
  return user;
}
