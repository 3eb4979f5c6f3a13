import { Logger } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { subjects } from '@credence/contracts';
import { simpleLowerCase } from '@credence/identity';
import { UnitOfWork } from '@credence/tenancy';
import type { CheckedIdentity } from './checked-identity';
import { rolesSettledSql, wantedNames } from './role-grants';

const log = new Logger('FederatedProfile');

/** The user row a sign-in holds locked for the rest of its unit of work. */
export interface LockedUser {
  id: string;
  email: string;
  username: string | null;
  display_name: string | null;
  status: 'invited' | 'active' | 'disabled';
  attributes: Record<string, unknown>;
}

/** Locks the user against a concurrent disable, delete or update until the sign-in commits; undefined when the user is gone. */
export async function lockUserRow(uow: UnitOfWork, where: { id: string } | { email: string }): Promise<LockedUser | undefined> {
  const [column, value] = 'id' in where ? ['id', where.id] : ['lower(email)', where.email];
  const [row] = await uow.query<LockedUser[]>(`SELECT id, email, username, display_name, status, attributes FROM users WHERE ${column} = $1 FOR NO KEY UPDATE`, [value]);
  return row;
}

/** The user a (connection, subject) link names, and whether its rule-given roles already equal `wantedRoles` (rolesSettledSql). */
export interface LinkedUser extends LockedUser {
  roles_settled: boolean;
}

/**
 * The user a (connection, subject) link names, its row locked as lockUserRow does; undefined without a link.
 * An active user's link is touched in the same statement (`last_login_at`, the subject's format now), after
 * the user's row is held: what FederatedSignIn would otherwise do next as a statement of its own.
 */
export async function lockLinkedUser(
  uow: UnitOfWork,
  link: { connectionId: string; subject: string; subjectFormat: string | null },
  wantedRoles: readonly string[],
): Promise<LinkedUser | undefined> {
  const [row] = await uow.query<LinkedUser[]>(
    `WITH linked AS (
       SELECT u.id, u.email, u.username, u.display_name, u.status, u.attributes, ${rolesSettledSql('u.id', '$1::uuid', '$3::text[]')} AS roles_settled
         FROM federated_identities fi JOIN users u ON u.id = fi.user_id
        WHERE fi.connection_id = $1 AND fi.subject = $2 FOR NO KEY UPDATE OF u
     ), touched AS (
       UPDATE federated_identities fi SET last_login_at = now(), subject_format = $4
         FROM linked WHERE fi.connection_id = $1 AND fi.subject = $2 AND linked.status = 'active'
     )
     SELECT * FROM linked`,
    [link.connectionId, link.subject, wantedNames(wantedRoles), link.subjectFormat],
  );
  return row;
}

/** given_name / family_name as stored in users.attributes, and the display name made of them. */
export function profileOf(identity: CheckedIdentity, base: Record<string, unknown> = {}): { attributes: Record<string, unknown>; displayName: string | null } {
  const attributes = { ...base };
  if (identity.given_name) attributes.given_name = identity.given_name;
  if (identity.family_name) attributes.family_name = identity.family_name;
  const parts = [attributes.given_name, attributes.family_name].filter((p): p is string => typeof p === 'string' && p.length > 0);
  return { attributes, displayName: parts.length ? parts.join(' ').slice(0, 200) : null };
}

/**
 * The IdP is the source of truth for what it sends: each sign-in copies the e-mail and the names it
 * carries onto the user. What it does not send is kept (an IdP that stops sending a name does not erase
 * it). A new e-mail another user already has is not taken (logged; the user keeps the old one).
 * `user.updated` names the changed fields, only when something changed.
 */
export async function syncProfile(uow: UnitOfWork, user: LockedUser, identity: CheckedIdentity): Promise<void> {
  const sets: string[] = [];
  const params: unknown[] = [user.id];
  const changed: string[] = [];
  const set = (field: string, column: string, value: unknown) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
    changed.push(field);
  };

  if (identity.email && identity.email !== simpleLowerCase(user.email)) {
    const [taken] = await uow.query<unknown[]>('SELECT 1 FROM users WHERE lower(email) = $1 AND id <> $2', [identity.email, user.id]);
    if (taken) log.warn(`user ${user.id}: the IdP's new e-mail belongs to another user; the e-mail is kept`);
    else set('email', 'email', identity.email);
  }
  const profile = profileOf(identity, user.attributes ?? {});
  if (profile.displayName !== null && profile.displayName !== user.display_name) set('display_name', 'display_name', profile.displayName);
  if (!isDeepStrictEqual(profile.attributes, user.attributes ?? {})) set('attributes', 'attributes', JSON.stringify(profile.attributes));

  if (!changed.length) return;
  await uow.query(`UPDATE users SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, params);
  uow.emit('user.updated', subjects.user(user.id), { user_id: user.id, changed });
}
