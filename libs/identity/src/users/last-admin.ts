import { lockForTransaction } from '@credence/database';
import { DomainError } from '@credence/errors';
import { UnitOfWork } from '@credence/tenancy';

/**
 * Refuses a change that would leave the tenant without an active tenant admin (a tenant nobody can
 * administer is only recoverable by the platform). The tenant-wide lock makes two admins disabling
 * each other at once serialise: the second sees the first's change and is refused.
 */
export async function assertAnotherAdminRemains(uow: UnitOfWork, tenantId: string, userId: string): Promise<void> {
  await lockForTransaction(uow.manager.queryRunner!, `tenant-admins:${tenantId}`);
  const [row] = await uow.query<{ is_admin: boolean; others: number }[]>(
    `SELECT EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = $1 AND r.name = 'tenant_admin') AS is_admin,
            (SELECT count(*)::int FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
              WHERE r.name = 'tenant_admin' AND u.status = 'active' AND u.id <> $1) AS others`,
    [userId],
  );
  if (row.is_admin && row.others === 0) throw new DomainError('user.last_admin');
}
