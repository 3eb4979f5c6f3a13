import { v7 as uuidv7 } from 'uuid';
import type { NewSigningKey } from '@credence/crypto';
import type { UnitOfWork } from '@credence/tenancy';
import { insertActiveKey } from '../keys/insert-active-key';
import { DEFAULT_ROLES } from './default-roles';

export interface FirstAdmin {
  userId: string;
  email: string;
  passwordHash: string | null;
  inviteTokenHash: Buffer | null;
}

export const INVITE_LIFETIME_SECONDS = 7 * 24 * 3600;

/** Fills a freshly migrated tenant schema: default roles, the first tenant admin, the first signing key. */
export async function seedNewTenant(uow: UnitOfWork, admin: FirstAdmin, key: NewSigningKey): Promise<void> {
  const roleIds = new Map<string, string>();
  const values: unknown[] = [];
  const rows = DEFAULT_ROLES.map((role, i) => {
    const id = uuidv7();
    roleIds.set(role.name, id);
    values.push(id, role.name, role.description, role.rank, [...role.permissions]);
    const p = i * 5;
    return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, true)`;
  });
  await uow.query(`INSERT INTO roles (id, name, description, rank, permissions, builtin) VALUES ${rows.join(', ')}`, values);

  await uow.query(`INSERT INTO users (id, email, password_hash, status) VALUES ($1, $2, $3, $4)`, [
    admin.userId,
    admin.email,
    admin.passwordHash,
    admin.passwordHash ? 'active' : 'invited',
  ]);
  await uow.query(`INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)`, [admin.userId, roleIds.get('tenant_admin')]);
  if (admin.inviteTokenHash) {
    await uow.query(`INSERT INTO user_invites (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`, [
      admin.inviteTokenHash,
      admin.userId,
      INVITE_LIFETIME_SECONDS,
    ]);
  }
  await insertActiveKey(uow, key);
}
