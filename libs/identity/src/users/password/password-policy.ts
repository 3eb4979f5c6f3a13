import { Injectable } from '@nestjs/common';
import { TenantRef } from '@credence/context';
import { PasswordHasher } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { TenantRegistry, UnitOfWork } from '@credence/tenancy';
import { isCommonPassword } from './common-passwords';

/** How many earlier passwords a user may not reuse. */
export const PASSWORD_HISTORY_DEPTH = 5;

const rejected = (issue: string) => new DomainError('user.password_rejected', undefined, [{ field: 'password', issue }]);

/** The hosted sign-in page refuses control characters in every field, so a password holding one could never sign in there. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The rules that need no stored state (no control characters, length in code points, the
 * common-password list): why `password` breaks them, or undefined. Onboarding checks the first
 * admin's password with it before the tenant exists; everything else goes through PasswordPolicy.checkNew.
 */
export function newPasswordProblem(password: string, minLength: number): string | undefined {
  if (CONTROL.test(password)) return 'password must not contain control characters (such as tab, line break or NUL)';
  if ([...password].length < minLength) return `password must be at least ${minLength} characters`;
  if (isCommonPassword(password)) return 'password is too common: it appears in lists of breached passwords';
  return undefined;
}

/**
 * The tenant's password rules: no control characters, at least password_min_length characters
 * (code points), not a common or breached password, and not one of the user's last five. Messages never echo the password.
 */
@Injectable()
export class PasswordPolicy {
  constructor(
    private readonly registry: TenantRegistry,
    private readonly hasher: PasswordHasher,
  ) {}

  /** Checks that need no stored state; run before hashing and before taking the user's lock. */
  async checkNew(tenant: TenantRef, password: string): Promise<void> {
    const { password_min_length: min } = await this.registry.settings(tenant);
    const problem = newPasswordProblem(password, min);
    if (problem) throw rejected(problem);
  }

  /** Inside the user's unit of work: refuses the current password and the last five. */
  async checkNotReused(uow: UnitOfWork, userId: string, password: string): Promise<void> {
    const rows = await uow.query<{ password_hash: string }[]>(
      `(SELECT password_hash FROM users WHERE id = $1 AND password_hash IS NOT NULL)
       UNION
       (SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2)`,
      [userId, PASSWORD_HISTORY_DEPTH],
    );
    for (const row of rows) {
      if (await this.hasher.verify(row.password_hash, password)) {
        throw rejected(`password was used recently: choose one other than your last ${PASSWORD_HISTORY_DEPTH}`);
      }
    }
  }

  /** Records a newly set hash and forgets all but the last five. */
  async remember(uow: UnitOfWork, userId: string, hash: string): Promise<void> {
    await uow.query(`INSERT INTO password_history (user_id, password_hash) VALUES ($1, $2)`, [userId, hash]);
    await uow.query(
      `DELETE FROM password_history WHERE user_id = $1 AND ctid NOT IN
         (SELECT ctid FROM password_history WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2)`,
      [userId, PASSWORD_HISTORY_DEPTH],
    );
  }
}
