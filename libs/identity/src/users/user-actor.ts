import { ActorRef } from '@credence/actors';
import { DomainError } from '@credence/errors';
import { UnitOfWork } from '@credence/tenancy';
import { USER_SELECT, UserRow } from './dto/user.response';

/** Every write to one user goes through this actor, so concurrent changes to a user serialize. */
export function userActor(tenantId: string, userId: string): ActorRef {
  return { kind: 'user', tenantId, id: userId };
}

export async function loadUser(uow: UnitOfWork, id: string): Promise<UserRow> {
  const [row] = await uow.query<UserRow[]>(`${USER_SELECT} WHERE u.id = $1`, [id]);
  if (!row) throw new DomainError('user.not_found');
  return row;
}

/** The row itself, locked for the rest of the unit of work. */
export async function lockUser(uow: UnitOfWork, id: string): Promise<UserRow & { password_hash: string | null }> {
  const [row] = await uow.query<(UserRow & { password_hash: string | null })[]>(
    `SELECT id, email, username, display_name, phone, status, attributes, password_hash FROM users WHERE id = $1 FOR UPDATE`,
    [id],
  );
  if (!row) throw new DomainError('user.not_found');
  return row;
}

const UNIQUE_FIELDS: Record<string, string> = { users_email_key: 'email', users_username_key: 'username', users_phone_key: 'phone' };

/** Maps a unique violation on users to 409 user.already_exists naming the field. */
export function userConflictFrom(err: unknown): DomainError | undefined {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e?.code ?? e?.driverError?.code;
  const constraint = e?.constraint ?? e?.driverError?.constraint;
  if (code !== '23505' || !constraint || !UNIQUE_FIELDS[constraint]) return undefined;
  const field = UNIQUE_FIELDS[constraint];
  return new DomainError('user.already_exists', undefined, [{ field, issue: `another user has this ${field}` }]);
}
