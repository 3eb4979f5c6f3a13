import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext, TenantRef } from '@credence/context';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { addressBucket } from '../login/address-bucket';
import { RateLimiter } from '../login/rate-limiter';
import type { LoginResult, SignedInUser } from '../login/password-login';
import { ClientInfo } from '../sessions/client-info';
import { clientData, SessionLifecycle } from '../sessions/session-lifecycle';
import { OtpCodes, OTP_MAX_ATTEMPTS } from './otp-codes';
import { OtpDecoys } from './otp-decoys';
import { findOtpUser, OtpDestination, OtpUser } from './otp-destination';

/** A code that proved its user, not yet spent. */
export interface OtpAuthentication {
  user: SignedInUser;
  /** Spends the code in the caller's transaction; throws auth.otp.expired when it was spent meanwhile. */
  spend(uow: UnitOfWork): Promise<void>;
}

type FailureReason = 'otp_invalid' | 'otp_expired' | 'account_disabled' | 'account_locked';
type Checked = { ok: true; user: OtpUser; codeId: string } | { ok: false; error: DomainError };

const REFUSALS: Record<FailureReason, () => DomainError> = {
  otp_invalid: () => new DomainError('auth.otp.invalid'),
  otp_expired: () => new DomainError('auth.otp.expired'),
  account_disabled: () => new DomainError('auth.account.disabled'),
  account_locked: () => new DomainError('auth.account.locked'),
};

/**
 * Signs in with a one-time code. The newest code of the user is checked under a row lock, so
 * concurrent guesses are counted one by one and never pass the attempt limit; the code is spent in
 * the same transaction that starts the session, so it signs in at most once.
 */
@Injectable()
export class OtpVerify {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly limiter: RateLimiter,
    private readonly codes: OtpCodes,
    private readonly decoys: OtpDecoys,
    private readonly sessions: SessionLifecycle,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** For the tenant in context: authenticate, then an API session started in the transaction that spends the code. */
  async verify(destination: OtpDestination, code: string, client: ClientInfo): Promise<LoginResult> {
    const { user, spend } = await this.authenticate(destination, code, client);
    const pair = await this.sessions.start(user.id, 'otp', client, async (uow, sessionId) => {
      await spend(uow);
      uow.emit('auth.login.succeeded', subjects.user(user.id), { user_id: user.id, session_id: sessionId, auth_method: 'otp', ...clientData(client) });
    });
    return { ...pair, user };
  }

  /**
   * Every check of a code sign-in (rate limit, decoys, attempt limit, account state) without starting
   * a session. The code is not spent yet: the caller runs `spend` inside the transaction that starts
   * its session (it throws auth.otp.expired when a concurrent sign-in spent the code first), so the
   * code signs in at most once. Failures are recorded here; the caller emits auth.login.succeeded.
   */
  async authenticate(destination: OtpDestination, code: string, client: ClientInfo): Promise<OtpAuthentication> {
    const tenant = this.context.requireTenant();
    await this.limiter.enforce(this.limiter.key('otp-verify-ip', tenant.id, addressBucket(client.ip)), this.config.LOGIN_IP_LIMIT_PER_MINUTE, 60);
    if (await this.decoys.isPlanted(tenant, destination)) {
      await this.runner.inTenant(async (uow) => this.failed(uow, null, 'otp_invalid', client));
      return this.decoys.refuse(tenant, destination);
    }
    const checked = await this.runner.inTenant((uow) => this.check(uow, tenant, destination, code, client));
    if (!checked.ok) throw checked.error;
    const { user, codeId } = checked;
    const spend = async (uow: UnitOfWork): Promise<void> => {
      const spent = await uow.query<unknown[]>(`UPDATE otp_codes SET consumed_at = now() WHERE id = $1 AND consumed_at IS NULL AND expires_at > now() RETURNING id`, [codeId]);
      if (!spent.length) throw new DomainError('auth.otp.expired'); // a concurrent verify spent it first
    };
    return { user: { id: user.id, email: user.email, username: user.username, display_name: user.display_name }, spend };
  }

  private async check(uow: UnitOfWork, tenant: TenantRef, destination: OtpDestination, code: string, client: ClientInfo): Promise<Checked> {
    const user = await findOtpUser(uow, destination);
    if (!user) return this.failed(uow, null, 'otp_expired', client);
    const [otp] = await uow.query<{ id: string; code_hash: Buffer; attempts: number; spent: boolean }[]>(
      `SELECT id, code_hash, attempts, (consumed_at IS NOT NULL OR expires_at <= now() OR attempts >= $2) AS spent
         FROM otp_codes WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
      [user.id, OTP_MAX_ATTEMPTS],
    );
    if (!otp || otp.spent) return this.failed(uow, user.id, 'otp_expired', client);
    if (!this.codes.matches(otp.code_hash, tenant.id, user.id, code)) {
      await uow.query(`UPDATE otp_codes SET attempts = attempts + 1 WHERE id = $1`, [otp.id]);
      return this.failed(uow, user.id, 'otp_invalid', client);
    }
    // Only someone holding the code learns the account's state.
    if (user.status !== 'active') return this.failed(uow, user.id, 'account_disabled', client);
    if (user.locked_for > 0) return this.failed(uow, user.id, 'account_locked', client, { 'Retry-After': String(user.locked_for) });
    return { ok: true, user, codeId: otp.id };
  }

  private failed(uow: UnitOfWork, userId: string | null, reason: FailureReason, client: ClientInfo, headers?: Record<string, string>): Checked {
    uow.emit('auth.login.failed', subjects.user(userId), { user_id: userId, auth_method: 'otp', reason, ...clientData(client) });
    const error = REFUSALS[reason]();
    return { ok: false, error: headers ? new DomainError(error.code, undefined, undefined, headers) : error };
  }
}
