import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import type { ScimDirectory } from '../auth/scim-directory';
import { scimError } from '../scim-error';
import { applyGroupRoles } from './group-roles';
import type { GroupInput, ScimGroupRow } from './group-resource';

const SELECT = `
  SELECT g.id, g.display_name, g.external_id, g.created_at, g.updated_at,
         coalesce((SELECT json_agg(json_build_object('value', m.user_id, 'display', s.user_name) ORDER BY s.user_name)
                     FROM scim_group_members m JOIN scim_users s ON s.user_id = m.user_id WHERE m.group_id = g.id), '[]') AS members
    FROM scim_groups g`;

const NARROWABLE: Record<string, string> = { id: 'g.id::text = $2', displayname: 'lower(g.display_name) = lower($2)', externalid: 'g.external_id = $2' };

function uniqueName(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  return (e?.code ?? e?.driverError?.code) === '23505' && (e?.constraint ?? e?.driverError?.constraint) === 'scim_groups_name_key';
}

function mapsToRole(directory: ScimDirectory, displayName: string): boolean {
  return directory.groupRoleMapping.some((m) => m.group.toLowerCase() === displayName.toLowerCase());
}

/**
 * The members whose mapped roles a write can change, in lock order: nobody when the group's name, old
 * and new, maps to no role; every member when a rename moves it into or out of the mapping; otherwise
 * those who joined or left. Recomputing every member on each one-member patch took seconds on a group
 * of thousands, and Okta sends one patch per membership change.
 */
function rolesToRecompute(directory: ScimDirectory, oldName: string | null, newName: string, before: string[], next: string[]): string[] {
  if (!(oldName !== null && mapsToRole(directory, oldName)) && !mapsToRole(directory, newName)) return [];
  if (oldName !== null && oldName.toLowerCase() !== newName.toLowerCase()) return [...new Set([...before, ...next])].sort();
  const [was, now] = [new Set(before), new Set(next)];
  return [...before.filter((u) => !now.has(u)), ...next.filter((u) => !was.has(u))].sort();
}

/** A directory's groups; every write recomputes the mapped roles of the members it adds or removes, in the same transaction. */
@Injectable()
export class ScimGroupStore {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async get(uow: UnitOfWork, directoryId: string, groupId: string, lock = false): Promise<ScimGroupRow> {
    if (lock) await uow.query('SELECT 1 FROM scim_groups WHERE directory_id = $1 AND id::text = $2 FOR UPDATE', [directoryId, groupId]);
    const [row] = await uow.query<ScimGroupRow[]>(`${SELECT} WHERE g.directory_id = $1 AND g.id::text = $2`, [directoryId, groupId]);
    if (!row) throw scimError('scim.not_found', `No group ${groupId.slice(0, 64)} in this directory.`);
    return row;
  }

  read(directoryId: string, groupId: string): Promise<ScimGroupRow> {
    return this.runner.inTenant((uow) => this.get(uow, directoryId, groupId));
  }

  candidates(directoryId: string, narrow: { key: string; value: string } | null, cap: number): Promise<ScimGroupRow[]> {
    return this.runner.inTenant((uow) =>
      narrow
        ? uow.query<ScimGroupRow[]>(`${SELECT} WHERE g.directory_id = $1 AND ${NARROWABLE[narrow.key]} ORDER BY g.id`, [directoryId, narrow.value])
        : uow.query<ScimGroupRow[]>(`${SELECT} WHERE g.directory_id = $1 ORDER BY g.id LIMIT $2`, [directoryId, cap + 1]),
    );
  }

  static narrowable(key: string): boolean {
    return key in NARROWABLE;
  }

  /** Creates (current null) or rewrites a group, its members and their mapped roles; answers the group's id. */
  async save(uow: UnitOfWork, directory: ScimDirectory, current: ScimGroupRow | null, input: GroupInput): Promise<string> {
    const known = await uow.query<{ user_id: string }[]>('SELECT user_id FROM scim_users WHERE directory_id = $1 AND user_id::text = ANY($2::text[])', [
      directory.id,
      input.members,
    ]);
    if (known.length !== input.members.length) throw scimError('scim.invalid_value', 'members must be users of this directory.');
    const groupId = current?.id ?? uuidv7();
    try {
      if (current === null) {
        await uow.query('INSERT INTO scim_groups (id, directory_id, display_name, external_id) VALUES ($1, $2, $3, $4)', [
          groupId,
          directory.id,
          input.displayName,
          input.externalId,
        ]);
      } else {
        await uow.query('UPDATE scim_groups SET display_name = $2, external_id = $3, updated_at = clock_timestamp() WHERE id = $1', [
          groupId,
          input.displayName,
          input.externalId,
        ]);
      }
    } catch (err) {
      if (uniqueName(err)) throw scimError('scim.uniqueness', 'Another group of this directory has this displayName.');
      throw err;
    }
    const next = known.map((k) => k.user_id);
    await uow.query('DELETE FROM scim_group_members WHERE group_id = $1 AND NOT (user_id = ANY($2::uuid[]))', [groupId, next]);
    await uow.query('INSERT INTO scim_group_members (group_id, user_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING', [groupId, next]);
    const before = current?.members.map((m) => m.value) ?? [];
    for (const userId of rolesToRecompute(directory, current?.display_name ?? null, input.displayName, before, next)) await applyGroupRoles(uow, directory, userId);
    return groupId;
  }

  async remove(uow: UnitOfWork, directory: ScimDirectory, groupId: string): Promise<void> {
    const row = await this.get(uow, directory.id, groupId, true);
    await uow.query('DELETE FROM scim_groups WHERE id = $1', [row.id]);
    if (mapsToRole(directory, row.display_name)) for (const m of row.members) await applyGroupRoles(uow, directory, m.value);
  }
}
