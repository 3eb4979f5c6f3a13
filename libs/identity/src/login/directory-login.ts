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
import type { LoginResult } from './password-login';
import { addressBucket } from './address-bucket';
import { RateLimiter } from './rate-limiter';

/**
 * Sign-in with a directory's username and password (an LDAP connection), under the same rate limit
 * and lockout as a password sign-in: the IP limit first; then, once the directory has found the account
 * and before the password is tried, the attempt is reserved against that account (directorySubject), so
 * neither concurrent guesses nor other spellings of the username outrun the lock; a refusal by the directory counts as a wrong password, whatever the reason (unknown user,
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
    // The IP limit before the directory is asked anything.
    await this.limiter.enforce(this.limiter.key('login-ip', tenant.id, addressBucket(client.ip)), this.config.LOGIN_IP_LIMIT_PER_MINUTE, 60);
    // Refused before any bind: a simple bind with an empty password is an anonymous bind, which succeeds.
    if (!name || !password) throw new DomainError('auth.invalid_credentials');
    let subject: string | undefined;
    // Between the search and the bind: one attempt reserved against the account the directory found.
    const admit = async (entry: string | undefined): Promise<void> => {
      subject = directorySubject(connectionId, entry, name);
      const lockedFor = await this.lockout.reserve(tenant, subject);
      if (lockedFor > 0) {
        subject = undefined; // nothing reserved, nothing to settle
        await this.failures.refused(null, 'account_locked', client, 'ldap');
        throw new DomainError('auth.account.locked', undefined, undefined, { 'Retry-After': String(lockedFor) });
      }
    };
    let proof: DirectoryProof<T>;
    try {
      proof = await this.directory.authenticate(connectionId, name, password, client, admit, then);
    } catch (err) {
      if (subject) await this.lockout.release(tenant, subject);
      throw err;
    }
    if (proof.outcome === 'refused') {
      // The directory accepted the password, or was never asked (a disabled connection); Credence refused the user (federation.login.failed says why).
      if (subject) await this.lockout.release(tenant, subject);
      throw new DomainError('auth.invalid_credentials');
    }
    // Past the search every attempt went through admit; the typed name is the fallback should one not have.
    subject ??= directorySubject(connectionId, undefined, name);
    if (proof.outcome === 'invalid_credentials') {
      await this.failures.wrongPassword(tenant, subject, null, client, 'ldap');
      throw new DomainError('auth.invalid_credentials');
    }
    await this.lockout.clear(tenant, subject);
    return { userId: proof.userId, value: proof.value };
  }
}

/**
 * The lockout's subject: the directory's entry when the username matched one, so every spelling the
 * directory accepts for it shares one budget; otherwise what was typed, folded the way directory
 * matching folds it (compatibility forms, case, runs of spaces), so an unknown name locks like a real one.
 */
export function directorySubject(connectionId: string, entry: string | undefined, typed: string): string {
  const connection = connectionId.toLowerCase();
  if (entry !== undefined) return `directory:${connection}:entry:${entry.toLowerCase()}`;
  return `directory:${connection}:name:${typed.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim()}`;
}
