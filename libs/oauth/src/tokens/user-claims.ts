import { Injectable } from '@nestjs/common';
import type { SessionUser } from '@credence/identity';
import { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { scopeSet } from './scopes';

/** What the users table knows that ID tokens and userinfo may tell an application: the record a session start reads. */
export type UserRecord = SessionUser;

/** The columns of users a UserRecord holds, qualified by the query's `alias` for the table when it has one. */
export const userRecordColumns = (alias?: string) =>
  ['id', 'status', 'email', 'username', 'display_name', 'attributes'].map((column) => (alias ? `${alias}.${column}` : column)).join(', ');

const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);

/**
 * The user claims a scope releases (OpenID Connect Core §5.4), from the user's record:
 * `email` → email, email_verified; `profile` → name, given_name, family_name, preferred_username.
 * Credence does not track whether an address was verified: `email_verified` is the user attribute of
 * that name when it is a boolean (set by an admin or a directory sync), otherwise false. given_name and
 * family_name are the attributes of those names when they are non-empty strings. Absent values are omitted.
 */
export function claimsForScope(user: UserRecord, scope: readonly string[] | string | null | undefined): Record<string, unknown> {
  const granted = scopeSet(scope);
  const claims: Record<string, unknown> = {};
  if (granted.has('email')) {
    claims.email = user.email;
    claims.email_verified = user.attributes.email_verified === true;
  }
  if (granted.has('profile')) {
    const optional = {
      name: text(user.display_name),
      given_name: text(user.attributes.given_name),
      family_name: text(user.attributes.family_name),
      preferred_username: text(user.username),
    };
    for (const [name, value] of Object.entries(optional)) if (value !== undefined) claims[name] = value;
  }
  return claims;
}

/** Reads users of the tenant in context for the OpenID Provider. */
@Injectable()
export class UserRecords {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async find(userId: string): Promise<UserRecord | undefined> {
    return this.runner.inTenant((uow) => readUser(uow, userId));
  }
}

/**
 * The user, read in the caller's transaction under a share lock: a user being disabled at the same
 * moment is either seen disabled, or waits for the caller to commit and then revokes what it created.
 */
export async function readUser(uow: UnitOfWork, userId: string): Promise<UserRecord | undefined> {
  const [row] = await uow.query<UserRecord[]>(`SELECT ${userRecordColumns()} FROM users WHERE id = $1 FOR SHARE`, [userId]);
  return row;
}
