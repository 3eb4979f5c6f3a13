import { Logger } from '@nestjs/common';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { assertAnotherAdminRemains } from '@credence/identity';
import { UnitOfWork } from '@credence/tenancy';
import type { ScimDirectory } from '../auth/scim-directory';

const log = new Logger('ScimGroupRoles');

interface RoleRef {
  id: string;
  name: string;
}

/**
 * Makes the roles this directory's group mapping grants a user equal what the user's groups in the
 * directory call for. As with federation's rule grants (libs/federation users/role-grants.ts), a role
 * is recorded in scim_role_grants only when the mapping gave it (the user did not hold it already),
 * so a role given by hand is never taken away; a mapped role goes when the last group granting it
 * goes, except the tenant's last active tenant_admin keeps it (logged).
 */
export async function applyGroupRoles(uow: UnitOfWork, directory: ScimDirectory, userId: string): Promise<void> {
  const groups = await uow.query<{ name: string }[]>(
    `SELECT lower(g.display_name) AS name FROM scim_group_members m JOIN scim_groups g ON g.id = m.group_id WHERE m.user_id = $1 AND g.directory_id = $2`,
    [userId, directory.id],
  );
  const names = new Set(groups.map((g) => g.name));
  const wanted = [...new Set(directory.groupRoleMapping.filter((m) => names.has(m.group.toLowerCase())).map((m) => m.role))];
  const roles = wanted.length ? await uow.query<RoleRef[]>('SELECT id, name FROM roles WHERE name = ANY($1) ORDER BY id FOR SHARE', [wanted]) : [];
  if (roles.length < wanted.length) log.warn(`directory ${directory.id} maps groups to roles that do not exist (skipped)`);
  for (const role of roles) {
    const inserted = await uow.query<unknown[]>('INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING user_id', [userId, role.id]);
    if (inserted.length) uow.emit('user.role.assigned', subjects.user(userId), { user_id: userId, role_id: role.id, role: role.name });
    await uow.query(
      `INSERT INTO scim_role_grants (user_id, role_id, directory_id)
       SELECT $1::uuid, $2::uuid, $3::uuid WHERE $4::boolean OR EXISTS (SELECT 1 FROM scim_role_grants WHERE user_id = $1 AND role_id = $2)
       ON CONFLICT DO NOTHING`,
      [userId, role.id, directory.id, inserted.length > 0],
    );
  }
  const stale = await uow.query<RoleRef[]>(
    `SELECT r.id, r.name FROM scim_role_grants g JOIN roles r ON r.id = g.role_id
      WHERE g.user_id = $1 AND g.directory_id = $2 AND NOT (g.role_id = ANY($3::uuid[])) ORDER BY r.id`,
    [userId, directory.id, roles.map((r) => r.id)],
  );
  for (const role of stale) await withdraw(uow, directory, userId, role);
}

async function withdraw(uow: UnitOfWork, directory: ScimDirectory, userId: string, role: RoleRef): Promise<void> {
  const [others] = await uow.query<{ n: number }[]>('SELECT count(*)::int AS n FROM scim_role_grants WHERE user_id = $1 AND role_id = $2 AND directory_id <> $3', [
    userId,
    role.id,
    directory.id,
  ]);
  if (others.n === 0 && role.name === 'tenant_admin' && !(await anotherAdminRemains(uow, directory.tenantId, userId))) {
    log.warn(`directory ${directory.id}: user ${userId} left the group granting tenant_admin but is the last tenant admin; the role stays`);
    return;
  }
  await uow.query('DELETE FROM scim_role_grants WHERE user_id = $1 AND role_id = $2 AND directory_id = $3', [userId, role.id, directory.id]);
  if (others.n > 0) return;
  const removed = await uow.query<unknown[]>('DELETE FROM user_roles WHERE user_id = $1 AND role_id = $2 RETURNING user_id', [userId, role.id]);
  if (removed.length) uow.emit('user.role.removed', subjects.user(userId), { user_id: userId, role_id: role.id, role: role.name });
}

async function anotherAdminRemains(uow: UnitOfWork, tenantId: string, userId: string): Promise<boolean> {
  try {
    await assertAnotherAdminRemains(uow, tenantId, userId);
    return true;
  } catch (err) {
    if (err instanceof DomainError && err.code === 'user.last_admin') return false;
    throw err;
  }
}
