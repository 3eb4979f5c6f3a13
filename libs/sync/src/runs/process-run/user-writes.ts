import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { assertAnotherAdminRemains, UserSessionsRevoker } from '@credence/identity';
import { UnitOfWork } from '@credence/tenancy';
import type { AppliedValues, SyncedField } from '../../batch/sync-user-record';

export interface CurrentUser extends AppliedValues {
  id: string;
  updated_ms: number;
}

/** The users, locked for the rest of the unit (the caller holds their actor locks). */
export async function lockCurrentUsers(uow: UnitOfWork, ids: string[]): Promise<Map<string, CurrentUser>> {
  if (!ids.length) return new Map();
  const rows = await uow.query<(CurrentUser & { status: string })[]>(
    `SELECT id, email, username, display_name, status, attributes, (extract(epoch FROM updated_at) * 1000)::float8 AS updated_ms
       FROM users WHERE id = ANY ($1::uuid[]) FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { ...r, status: r.status === 'disabled' ? 'disabled' : 'active' }]));
}

/**
 * Writes the source's values of `fields` onto one user, as identity's own commands would: a disable
 * keeps another admin (user.last_admin otherwise) and ends the user's sessions and tokens; events
 * user.updated (the changed fields), user.disabled / user.enabled. A unique e-mail or username taken by
 * another user fails this user only (a savepoint), as user.already_exists.
 */
export async function writeUser(uow: UnitOfWork, tenantId: string, revoker: UserSessionsRevoker, user: CurrentUser, values: AppliedValues, fields: SyncedField[]): Promise<void> {
  if (!fields.length) return;
  await uow.query('SAVEPOINT sync_user');
  try {
    const disabling = fields.includes('status') && values.status === 'disabled' && user.status !== 'disabled';
    if (disabling) await assertAnotherAdminRemains(uow, tenantId, user.id);
    const sets: string[] = [];
    const params: unknown[] = [user.id];
    for (const f of fields) {
      params.push(f === 'attributes' ? JSON.stringify(values.attributes) : values[f]);
      sets.push(`${f} = $${params.length}`);
    }
    await uow.query(`UPDATE users SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, params);
    await uow.query('RELEASE SAVEPOINT sync_user');
  } catch (err) {
    await uow.query('ROLLBACK TO SAVEPOINT sync_user');
    throw uniqueConflict(err) ?? err;
  }
  const data = { user_id: user.id, email: values.email, username: values.username };
  const changed = fields.filter((f) => f !== 'status');
  if (changed.length) uow.emit('user.updated', subjects.user(user.id), { user_id: user.id, changed });
  if (fields.includes('status') && values.status !== user.status) {
    if (values.status === 'disabled') {
      await revoker.revokeAllForUser(uow, user.id, 'user_disabled');
      uow.emit('user.disabled', subjects.user(user.id), { ...data, status: 'disabled' });
    } else uow.emit('user.enabled', subjects.user(user.id), { ...data, status: 'active' });
  }
}

function uniqueConflict(err: unknown): DomainError | undefined {
  const e = err as { code?: string; driverError?: { code?: string } };
  if ((e?.code ?? e?.driverError?.code) !== '23505') return undefined;
  return new DomainError('user.already_exists', 'Another user has this e-mail address or username.');
}
