import { Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { PasswordHasher } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { AccountLockout } from '../../login/account-lockout';
import { LoginFailures } from '../../login/login-failures';
import { ClientInfo } from '../../sessions/client-info';

export const wrongCurrentPassword = () =>
  new DomainError('validation.failed', undefined, [{ field: 'current_password', issue: 'current_password must be your current password' }]);

/**
 * Proves that a signed-in user knows their password now, under the sign-in lockout: the same
 * per-account count as POST /auth/login (`user:<id>`), the same lock and `locked_until`, the same
 * events. A locked account is refused without checking the password, so this is no better a
 * password oracle than sign-in is. Used wherever users change their own password (POST /me/password,
 * PATCH /users/{own id}). Runs outside the user's actor: recording a failure writes the user row,
 * which the actor's transaction would hold locked; the caller checks in the actor that the hash it
 * returns is still the stored one.
 */
@Injectable()
export class CurrentPasswordProof {
  constructor(
    private readonly hasher: PasswordHasher,
    private readonly runner: TenantTransactionRunner,
    private readonly failures: LoginFailures,
    private readonly lockout: AccountLockout,
    private readonly context: RequestContext,
  ) {}

  /** Returns the stored hash the password was proven against; throws 423 when locked, 400 when wrong. */
  async prove(userId: string, given: string, client: ClientInfo): Promise<string> {
    const tenant = this.context.requireTenant();
    const subject = `user:${userId}`;
    const [user] = await this.runner.queryInTenant<{ password_hash: string | null; locked_for: number }[]>(
      `SELECT password_hash, greatest(0, ceil(extract(epoch FROM locked_until - now())))::int AS locked_for FROM users WHERE id = $1`,
      [userId],
    );
    if (!user) throw new DomainError('user.not_found');
    // Without a password (one-time codes, SSO) there is nothing to guess and nothing to count.
    if (!user.password_hash) throw wrongCurrentPassword();
    // The lock recorded in Postgres first (it outlives Redis), then a reservation in Redis, as sign-in takes them:
    // concurrent guesses can never check more passwords than the lockout allows.
    const lockedFor = user.locked_for || (await this.lockout.reserve(tenant, subject));
    if (lockedFor > 0) {
      await this.failures.refused(userId, 'account_locked', client);
      throw new DomainError('auth.account.locked', undefined, undefined, { 'Retry-After': String(lockedFor) });
    }
    const matches = await this.hasher.verify(user.password_hash, given).catch(async (err: unknown) => {
      await this.lockout.release(tenant, subject);
      throw err;
    });
    if (!matches) {
      await this.failures.wrongPassword(tenant, subject, userId, client);
      throw wrongCurrentPassword();
    }
    await this.lockout.clear(tenant, subject);
    return user.password_hash;
  }
}
