import { UnitOfWork } from '@credence/tenancy';

/** Role names a user holds, for the access token's `roles` claim. */
export async function roleNamesOf(uow: UnitOfWork, userId: string): Promise<string[]> {
  const rows = await uow.query<{ name: string }[]>(
    `SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = $1 ORDER BY r.rank NULLS LAST, r.name`,
    [userId],
  );
  return rows.map((r) => r.name);
}
