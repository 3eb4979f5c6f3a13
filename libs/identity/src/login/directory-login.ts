import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { ClientInfo } from '../sessions/client-info';
import { clientData, SessionLifecycle } from '../sessions/session-lifecycle';
import { AccountLockout } from './account-lockout';
import type { UnitOfWork } from '@credence/tenancy';
import { DIRECTORY_AUTHENTICATOR, DirectoryAuthenticator, DirectoryProof } from './directory-authenticator';
import { LoginFailures } from './login-failures';
import { LoginGate } from './login-gate';
import type { LoginResult } from './password-login';
import { RateLimiter } from './rate-limiter';

/**
 * Sign-in with a directory's username and password (an LDAP connection), under the same rate limit
 * and lockout as a password sign-in: the IP limit first; then the attempt is reserved against the
 * (connection, username) pair before the directory is asked, so concurrent guesses cannot outrun the
 * lock; a refusal by the directory counts as a wrong password, whatever the reason (unknown user,
 * wrong password, disabled account all answer 401 auth.invalid_credentials). The password goes to
 * the directory authenticator and nowhere else: not to events, logs or Redis.
 */
@Injectable()
export class DirectoryLogin {
  constructor(
    private readonly failures: LoginFailures,
    private readonly sessions: SessionLifecycle,
    private readonly lockout: AccountLockout,
    private readonly limiter: RateLimiter,
    private readonly gate: LoginGate,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(DIRECTORY_AUTHENTICATOR) private readonly directory?: DirectoryAuthenticator,
  ) {}

  /**
   * Signs in to the tenant in context and starts an API session (POST /auth/login with `connection`): the
   * user's resolution (link, profile, group rules) and the session start are one tenant transaction.
   */
  async login(connectionId: string, username: string, password: string, client: ClientInfo): Promise<LoginResult> {
    const ready = await this.sessions.prepare();
    let user: LoginResult['user'] | undefined;
    const { value: pair } = await this.run(connectionId, username, password, client, (uow, userId) =>
      this.sessions.startInUnit(uow, ready, userId, 'ldap', client, async (u, sessionId, record) => {
        user = { id: record.id, email: record.email, username: record.username, display_name: record.display_name };
        u.emit('auth.login.succeeded', subjects.user(userId), { user_id: userId, session_id: sessionId, auth_method: 'ldap', idp: connectionId, ...clientData(client) });
      }),
    );
    return { ...pair, user: user! };
  }

  /** Every check of a directory sign-in without starting a session (the hosted page starts a browser session). Returns the user id. */
  async authenticate(connectionId: string, username: string, password: string, client: ClientInfo): Promise<string> {
    return (await this.run(connectionId, username, password, client, async () => undefined)).userId;
  }

  private async run<T>(
    connectionId: string,
    username: string,
    password: string,
    client: ClientInfo,
    then: (uow: UnitOfWork, userId: string) => Promise<T>,
  ): Promise<{ userId: string; value: T }> {
    if (!this.directory) throw new DomainError('connection.not_found');
    const tenant = this.context.requireTenant();
    const name = username.trim();
    // Refused before any bind: a simple bind with an empty password is an anonymous bind, which succeeds.
    if (!name || !password) {
      await this.limiter.enforce(this.limiter.key('login-ip', tenant.id, client.ip ?? 'unknown'), this.config.LOGIN_IP_LIMIT_PER_MINUTE, 60);
      throw new DomainError('auth.invalid_credentials');
    }
    const subject = `directory:${connectionId.toLowerCase()}:${name.toLowerCase()}`;
    // The IP limit and the lockout reservation in one Redis round trip.
    const lockedFor = await this.gate.enter(tenant, client.ip, subject);
    if (lockedFor > 0) {
      await this.failures.refused(null, 'account_locked', client, 'ldap');
      throw new DomainError('auth.account.locked', undefined, undefined, { 'Retry-After': String(lockedFor) });
    }
    let proof: DirectoryProof<T>;
    try {
      proof = await this.directory.authenticate(connectionId, name, password, client, then);
    } catch (err) {
      await this.lockout.release(tenant, subject);
      throw err;
    }
    if (proof.outcome === 'invalid_credentials') {
      await this.failures.wrongPassword(tenant, subject, null, client, 'ldap');
      throw new DomainError('auth.invalid_credentials');
    }
    if (proof.outcome === 'refused') {
      // The directory accepted the password; Credence refused the user (federation.login.failed says why).
      await this.lockout.release(tenant, subject);
      throw new DomainError('auth.invalid_credentials');
    }
    await this.lockout.clear(tenant, subject);
    return { userId: proof.userId, value: proof.value };
  }
}
