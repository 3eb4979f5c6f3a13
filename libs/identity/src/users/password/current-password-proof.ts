import { Injectable } from '@nestjs/common';
import { RequestContext, TenantRef } from '@credence/context';
import { subjects } from '@credence/contracts';
import { PasswordHasher } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { TenantRegistry, TenantTransactionRunner } from '@credence/tenancy';
import { AccountLockout, FAILURE_WINDOW_SECONDS } from '../../login/account-lockout';
import { ClientInfo } from '../../sessions/client-info';
import { clientData } from '../../sessions/session-lifecycle';

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
    private readonly registry: TenantRegistry,
    private readonly lockout: AccountLockout,
    private readonly context: RequestContext,
  ) {}

  /** Returns the stored hash the password was proven against; throws 423 when locked, 400 when wrong. */
  async prove(userId: string, given: string, client: ClientInfo): Promise<string> {
    const tenant = this.context.requireTenant();
    const subject = `user:${userId}`;
    const [user] = await this.runner.inTenant((uow) =>
      uow.query<{ password_hash: string | null; locked_for: number }[]>(
        `SELECT password_hash, greatest(0, ceil(extract(epoch FROM locked_until - now())))::int AS locked_for FROM users WHERE id = $1`,
        [userId],
      ),
    );
    if (!user) throw new DomainError('user.not_found');
    // Without a password (one-time codes, SSO) there is nothing to guess and nothing to count.
    if (!user.password_hash) throw wrongCurrentPassword();
    // The lock recorded in Postgres first (it outlives Redis), then a reservation in Redis, as sign-in takes them:
    // concurrent guesses can never check more passwords than the lockout allows.
    const lockedFor = user.locked_for || (await this.lockout.reserve(tenant, subject));
    if (lockedFor > 0) {
      await this.emitFailure(userId, 'account_locked', client);
      throw new DomainError('auth.account.locked', undefined, undefined, { 'Retry-After': String(lockedFor) });
    }
    const matches = await this.hasher.verify(user.password_hash, given).catch(async (err: unknown) => {
      await this.lockout.release(tenant, subject);
      throw err;
    });
    if (!matches) {
      await this.recordFailure(tenant, subject, userId, client);
      throw wrongCurrentPassword();
    }
    await this.lockout.clear(tenant, subject);
    return user.password_hash;
  }

  private async recordFailure(tenant: TenantRef, subject: string, userId: string, client: ClientInfo): Promise<void> {
    const settings = await this.registry.settings(tenant);
    const { failures, locked } = await this.lockout.recordFailure(tenant, subject, settings.lockout_seconds);
    await this.runner.inTenant(async (uow) => {
      uow.emit('auth.login.failed', subjects.user(userId), { user_id: userId, auth_method: 'local', reason: 'invalid_credentials', ...clientData(client) });
      if (!locked) return;
      const [row] = await uow.query<{ locked_until: Date }[]>(`UPDATE users SET locked_until = now() + make_interval(secs => $2) WHERE id = $1 RETURNING locked_until`, [
        userId,
        settings.lockout_seconds,
      ]);
      uow.emit('auth.account.locked', subjects.user(userId), { user_id: userId, locked_until: row.locked_until.toISOString(), failures });
      uow.emit('security.violation.detected', subjects.user(userId), {
        rule: 'login.account_brute_force',
        severity: 'high',
        user_id: userId,
        ip: client.ip,
        details: { failures, window_seconds: FAILURE_WINDOW_SECONDS, locked_seconds: settings.lockout_seconds },
      });
    });
  }

  private emitFailure(userId: string, reason: 'account_locked', client: ClientInfo): Promise<void> {
    return this.runner.inTenant(async (uow) => {
      uow.emit('auth.login.failed', subjects.user(userId), { user_id: userId, auth_method: 'local', reason, ...clientData(client) });
    });
  }
}
