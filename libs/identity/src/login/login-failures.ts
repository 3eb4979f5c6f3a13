import { Injectable } from '@nestjs/common';
import { TenantRef } from '@credence/context';
import { AuthMethod, subjects } from '@credence/contracts';
import { TenantRegistry, TenantTransactionRunner } from '@credence/tenancy';
import { ClientInfo } from '../sessions/client-info';
import { clientData } from '../sessions/session-lifecycle';
import { AccountLockout, FAILURE_WINDOW_SECONDS } from './account-lockout';

/**
 * What a failed password check leaves behind, the same for sign-in and for proving one's own
 * password: the lockout settles the reservation as a failure, `auth.login.failed` is recorded, and
 * the attempt that reaches the limit locks the account (`locked_until`, `auth.account.locked`,
 * `security.violation.detected`).
 */
@Injectable()
export class LoginFailures {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly registry: TenantRegistry,
    private readonly lockout: AccountLockout,
  ) {}

  /** A wrong password for `subject`; `userId` is null when the identifier matched no account (or the directory was asked: `method` ldap). */
  async wrongPassword(tenant: TenantRef, subject: string, userId: string | null, client: ClientInfo, method: AuthMethod = 'local'): Promise<void> {
    const settings = await this.registry.settings(tenant);
    const { failures, locked } = await this.lockout.recordFailure(tenant, subject, settings.lockout_seconds);
    await this.runner.inTenant(async (uow) => {
      uow.emit('auth.login.failed', subjects.user(userId), { user_id: userId, auth_method: method, reason: 'invalid_credentials', ...clientData(client) });
      if (!locked || !userId) return;
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

  /** An attempt refused before any password was checked (locked or disabled account). */
  refused(userId: string | null, reason: 'account_locked' | 'account_disabled', client: ClientInfo, method: AuthMethod = 'local'): Promise<void> {
    return this.runner.inTenant(async (uow) => {
      uow.emit('auth.login.failed', subjects.user(userId), { user_id: userId, auth_method: method, reason, ...clientData(client) });
    });
  }
}
