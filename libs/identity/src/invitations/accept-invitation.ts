import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { subjects } from '@credence/contracts';
import { PasswordHasher, sha256 } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { addressBucket } from '../login/address-bucket';
import type { LoginResult, SignedInUser } from '../login/password-login';
import { RateLimiter } from '../login/rate-limiter';
import { ClientInfo } from '../sessions/client-info';
import { clientData, SessionLifecycle } from '../sessions/session-lifecycle';
import { PasswordPolicy } from '../users/password/password-policy';

const invalid = () => new DomainError('auth.invitation.invalid');

/**
 * An invited user (a tenant's first admin onboarded without a password) sets their first password
 * with the invitation's token and is signed in. One transaction spends the token, activates the user
 * and starts the session, so a token signs in at most once, even when sent twice at the same time.
 * The password is hashed only for a token that is still good: a guessed token costs no argon2.
 */
@Injectable()
export class AcceptInvitation {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly policy: PasswordPolicy,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionLifecycle,
    private readonly limiter: RateLimiter,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async accept(token: string, password: string, client: ClientInfo): Promise<LoginResult> {
    const tenant = this.context.requireTenant();
    await this.limiter.enforce(this.limiter.key('invitation-ip', tenant.id, addressBucket(client.ip)), this.config.LOGIN_IP_LIMIT_PER_MINUTE, 60);
    const tokenHash = sha256(token);
    const [pending] = await this.runner.queryInTenant<{ user_id: string }[]>(
      `SELECT i.user_id FROM user_invites i JOIN users u ON u.id = i.user_id
        WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.expires_at > now() AND u.status = 'invited'`,
      [tokenHash],
    );
    if (!pending) throw invalid();
    await this.policy.checkNew(tenant, password);
    const hash = await this.hasher.hash(password);
    const ready = await this.sessions.prepare();
    let user: SignedInUser | undefined;
    const pair = await this.runner.inTenant(async (uow) => {
      // The row lock orders concurrent accepts: the second finds the token spent and changes nothing.
      const [spent] = await uow.query<{ user_id: string }[]>(
        `UPDATE user_invites SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
        [tokenHash],
      );
      if (!spent) throw invalid();
      // Only an invited user: one disabled meanwhile stays disabled, an active one keeps their password.
      const [activated] = await uow.query<SignedInUser[]>(
        `UPDATE users SET password_hash = $2, password_changed_at = now(), status = 'active', updated_at = now()
          WHERE id = $1 AND status = 'invited' RETURNING id, email, username, display_name`,
        [spent.user_id, hash],
      );
      if (!activated) throw invalid();
      user = activated;
      await uow.query(`UPDATE user_invites SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, [activated.id]);
      await this.policy.remember(uow, activated.id, hash);
      uow.emit('user.updated', subjects.user(activated.id), { user_id: activated.id, changed: ['password', 'status'] });
      return this.sessions.startInUnit(uow, ready, activated.id, 'local', client, async (u, sessionId) => {
        u.emit('auth.login.succeeded', subjects.user(activated.id), { user_id: activated.id, session_id: sessionId, auth_method: 'local', ...clientData(client) });
      });
    });
    return { ...pair, user: user! };
  }
}
