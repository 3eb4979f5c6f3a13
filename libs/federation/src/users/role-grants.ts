import { Logger } from '@nestjs/common';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { assertAnotherAdminRemains } from '@credence/identity';
import { UnitOfWork } from '@credence/tenancy';

const log = new Logger('FederatedRoles');

interface RoleRef {
  id: string;
  name: string;
}

/**
 * Existing roles by name, share-locked (a concurrent deletion of the role waits for the grant, then
 * takes it away with the role). Unknown names are skipped and logged: a rule or default role naming a
 * role deleted since must not stop the user from signing in.
 */
async function rolesNamed(uow: UnitOfWork, connectionId: string, names: readonly string[]): Promise<RoleRef[]> {
  if (!names.length) return [];
  const roles = await uow.query<RoleRef[]>('SELECT id, name FROM roles WHERE name = ANY($1) ORDER BY id FOR SHARE', [[...names]]);
  const missing = names.filter((n) => !roles.some((r) => r.name === n));
  if (missing.length) log.warn(`connection ${connectionId} names roles that do not exist (skipped): ${missing.join(', ')}`);
  return roles;
}

async function insertUserRole(uow: UnitOfWork, userId: string, role: RoleRef): Promise<boolean> {
  const inserted = await uow.query<unknown[]>('INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING user_id', [userId, role.id]);
  if (inserted.length) uow.emit('user.role.assigned', subjects.user(userId), { user_id: userId, role_id: role.id, role: role.name });
  return inserted.length > 0;
}

/** A JIT user's `default_roles`: given once, like roles given by hand (no grant row, so no rule takes them away). */
export async function assignDefaultRoles(uow: UnitOfWork, connectionId: string, userId: string, names: readonly string[]): Promise<void> {
  for (const role of await rolesNamed(uow, connectionId, names)) await insertUserRole(uow, userId, role);
}

/**
 * Makes the roles this connection's rules grant equal `wanted`, on every sign-in. A role is recorded
 * in federated_role_grants only when a rule gave it (the user did not hold it, or held it through
 * another connection's rule), so a role given by hand is never taken away by a rule. A granted role
 * whose group is gone loses this connection's grant row; the role itself goes when no connection
 * grants it any more, except the tenant's last active tenant_admin keeps it (logged, retried on the
 * next sign-in).
 */
export async function applyRuleGrants(
  uow: UnitOfWork,
  tenantId: string,
  connectionId: string,
  userId: string,
  wanted: readonly string[],
  /** rolesSettledSql's answer when the caller already has it (in this transaction, the user's row held). */
  settled?: boolean,
): Promise<void> {
  if (settled ?? (await alreadySettled(uow, connectionId, userId, wanted))) return;
  const roles = await rolesNamed(uow, connectionId, wanted);
  for (const role of roles) {
    const inserted = await insertUserRole(uow, userId, role);
    await uow.query(
      `INSERT INTO federated_role_grants (user_id, role_id, connection_id)
       SELECT $1::uuid, $2::uuid, $3::uuid WHERE $4::boolean OR EXISTS (SELECT 1 FROM federated_role_grants WHERE user_id = $1 AND role_id = $2)
       ON CONFLICT DO NOTHING`,
      [userId, role.id, connectionId, inserted],
    );
  }
  const stale = await uow.query<RoleRef[]>(
    `SELECT r.id, r.name FROM federated_role_grants g JOIN roles r ON r.id = g.role_id
      WHERE g.user_id = $1 AND g.connection_id = $2 AND NOT (g.role_id = ANY($3::uuid[])) ORDER BY r.id`,
    [userId, connectionId, roles.map((r) => r.id)],
  );
  for (const role of stale) await withdraw(uow, tenantId, connectionId, userId, role);
}

/**
 * One test for the usual returning sign-in, as SQL (a boolean) over a user id, a connection id and the
 * wanted role names (deduplicated text[]): every wanted role exists, is held and carries this
 * connection's grant row, and the connection grants nothing else. Then applyRuleGrants would change
 * nothing (and log nothing). lockLinkedUser asks it in the same statement that finds the user.
 */
export const rolesSettledSql = (user: string, connection: string, names: string) =>
  `((SELECT count(*) FROM roles r
       JOIN user_roles ur ON ur.role_id = r.id AND ur.user_id = ${user}
       JOIN federated_role_grants g ON g.role_id = r.id AND g.user_id = ${user} AND g.connection_id = ${connection}
      WHERE r.name = ANY(${names})) = cardinality(${names})
    AND NOT EXISTS (SELECT 1 FROM federated_role_grants g JOIN roles r ON r.id = g.role_id
                     WHERE g.user_id = ${user} AND g.connection_id = ${connection} AND NOT (r.name = ANY(${names}))))`;

/** The role names a sign-in wants, as rolesSettledSql takes them. */
export const wantedNames = (wanted: readonly string[]) => [...new Set(wanted)];

async function alreadySettled(uow: UnitOfWork, connectionId: string, userId: string, wanted: readonly string[]): Promise<boolean> {
  const [row] = await uow.query<{ settled: boolean }[]>(`SELECT ${rolesSettledSql('$1::uuid', '$2::uuid', '$3::text[]')} AS settled`, [
    userId,
    connectionId,
    wantedNames(wanted),
  ]);
  return row.settled;
}

async function withdraw(uow: UnitOfWork, tenantId: string, connectionId: string, userId: string, role: RoleRef): Promise<void> {
  const [others] = await uow.query<{ n: number }[]>('SELECT count(*)::int AS n FROM federated_role_grants WHERE user_id = $1 AND role_id = $2 AND connection_id <> $3', [
    userId,
    role.id,
    connectionId,
  ]);
  if (others.n === 0 && role.name === 'tenant_admin' && !(await anotherAdminRemains(uow, tenantId, userId))) {
    log.warn(`connection ${connectionId}: user ${userId} left the group granting tenant_admin but is the last tenant admin; the role stays`);
    return;
  }
  await uow.query('DELETE FROM federated_role_grants WHERE user_id = $1 AND role_id = $2 AND connection_id = $3', [userId, role.id, connectionId]);
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
