import { actorKey } from '@credence/actors';
import { UnitOfWork } from '@credence/tenancy';

/**
 * Takes the user actors' advisory locks (the keys ActorSystem uses for `user`) for many users in one
 * statement, in key order so two writers never wait on each other crosswise. Identity's own commands
 * take the same lock, so a sync write and an admin's edit of one user serialise.
 */
export async function lockUsers(uow: UnitOfWork, tenantId: string, userIds: string[]): Promise<void> {
  if (!userIds.length) return;
  const keys = [...new Set(userIds)].map((id) => actorKey({ kind: 'user', tenantId, id })).sort();
  await uow.query(`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (SELECT k FROM unnest($1::text[]) AS k ORDER BY k) AS s`, [keys]);
}
