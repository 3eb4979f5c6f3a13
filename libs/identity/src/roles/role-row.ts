import { ActorRef } from '@credence/actors';
import { DomainError } from '@credence/errors';
import { UnitOfWork } from '@credence/tenancy';
import { ROLE_NAME_PATTERN } from './dto/role-name';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface RoleRow {
  id: string;
  name: string;
  description: string;
  rank: number | null;
  permissions: string[];
  builtin: boolean;
  created_at: Date;
  updated_at: Date;
}

export const ROLE_COLUMNS = 'id, name, description, rank, permissions, builtin, created_at, updated_at';

/** Writes to one role serialize through its actor. */
export function roleActor(tenantId: string, roleId: string): ActorRef {
  return { kind: 'role', tenantId, id: roleId };
}

/** A path segment naming a role by id or by name; anything else names no role. */
export function roleParam(text: string): string {
  if (UUID.test(text) || ROLE_NAME_PATTERN.test(text)) return text;
  throw new DomainError('role.not_found');
}

export async function findRole(uow: UnitOfWork, ref: string, lock?: 'FOR SHARE' | 'FOR UPDATE'): Promise<RoleRow | undefined> {
  const column = UUID.test(ref) ? 'id' : 'name';
  const [row] = await uow.query<RoleRow[]>(`SELECT ${ROLE_COLUMNS} FROM roles WHERE ${column} = $1 ${lock ?? ''}`, [ref]);
  return row;
}

export async function getRole(uow: UnitOfWork, ref: string, lock?: 'FOR SHARE' | 'FOR UPDATE'): Promise<RoleRow> {
  const row = await findRole(uow, ref, lock);
  if (!row) throw new DomainError('role.not_found');
  return row;
}

export function roleConflictFrom(err: unknown): DomainError | undefined {
  const e = err as { code?: string; constraint?: string };
  if (e?.code === '23505' && e.constraint === 'roles_name_key') {
    return new DomainError('role.already_exists', undefined, [{ field: 'name', issue: 'another role has this name' }]);
  }
  return undefined;
}
