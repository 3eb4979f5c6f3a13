import { Injectable } from '@nestjs/common';
import { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { scimError } from '../scim-error';
import type { ScimUserRow, UserInput } from './user-resource';

const SELECT = `
  SELECT u.id, u.email, u.display_name, u.status, u.attributes, u.created_at, u.updated_at, s.user_name, s.external_id, s.emails,
         coalesce((SELECT json_agg(json_build_object('value', g.id, 'display', g.display_name) ORDER BY g.display_name)
                     FROM scim_group_members m JOIN scim_groups g ON g.id = m.group_id WHERE m.user_id = u.id), '[]') AS groups
    FROM scim_users s JOIN users u ON u.id = s.user_id`;

/** Column a filter's top-level equality can be narrowed on in SQL (bound parameter, indexed), by attribute key. */
const NARROWABLE: Record<string, string> = { id: 's.user_id::text = $2', username: 'lower(s.user_name) = lower($2)', externalid: 's.external_id = $2' };

/** The directory's users, read through the link table: a directory only ever sees the users it provisioned. */
@Injectable()
export class ScimUserStore {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async get(uow: UnitOfWork, directoryId: string, userId: string): Promise<ScimUserRow> {
    const [row] = await uow.query<ScimUserRow[]>(`${SELECT} WHERE s.directory_id = $1 AND s.user_id::text = $2`, [directoryId, userId]);
    if (!row) throw scimError('scim.not_found', `No user ${userId.slice(0, 64)} in this directory.`);
    return row;
  }

  read(directoryId: string, userId: string): Promise<ScimUserRow> {
    return this.runner.inTenant((uow) => this.get(uow, directoryId, userId));
  }

  /** Rows matching `key = value` for a narrowable key, or the whole directory up to `cap` + 1 rows. */
  candidates(directoryId: string, narrow: { key: string; value: string } | null, cap: number): Promise<ScimUserRow[]> {
    return this.runner.inTenant((uow) =>
      narrow
        ? uow.query<ScimUserRow[]>(`${SELECT} WHERE s.directory_id = $1 AND ${NARROWABLE[narrow.key]} ORDER BY u.created_at, u.id`, [directoryId, narrow.value])
        : uow.query<ScimUserRow[]>(`${SELECT} WHERE s.directory_id = $1 ORDER BY u.created_at, u.id LIMIT $2`, [directoryId, cap + 1]),
    );
  }

  /** One page in creation order, without a filter: OFFSET/LIMIT in SQL and the total. */
  page(directoryId: string, offset: number, limit: number): Promise<{ rows: ScimUserRow[]; total: number }> {
    return this.runner.inTenant(async (uow) => {
      const [{ n }] = await uow.query<{ n: number }[]>('SELECT count(*)::int AS n FROM scim_users WHERE directory_id = $1', [directoryId]);
      const rows = limit
        ? await uow.query<ScimUserRow[]>(`${SELECT} WHERE s.directory_id = $1 ORDER BY u.created_at, u.id OFFSET $2 LIMIT $3`, [directoryId, offset, limit])
        : [];
      return { rows, total: n };
    });
  }

  static narrowable(key: string): boolean {
    return key in NARROWABLE;
  }

  async assertUserNameFree(uow: UnitOfWork, directoryId: string, userName: string, except?: string): Promise<void> {
    const taken = await uow.query<unknown[]>('SELECT 1 FROM scim_users WHERE directory_id = $1 AND lower(user_name) = lower($2) AND user_id IS DISTINCT FROM $3::uuid', [
      directoryId,
      userName,
      except ?? null,
    ]);
    if (taken.length) throw scimError('scim.uniqueness', 'Another user of this directory has this userName.');
  }

  async link(uow: UnitOfWork, directoryId: string, userId: string, input: UserInput): Promise<void> {
    await uow.query(
      `INSERT INTO scim_users (user_id, directory_id, user_name, external_id, emails) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id) DO UPDATE SET user_name = EXCLUDED.user_name, external_id = EXCLUDED.external_id, emails = EXCLUDED.emails`,
      [userId, directoryId, input.userName, input.externalId, JSON.stringify(input.emails)],
    );
  }
}
