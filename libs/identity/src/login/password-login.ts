import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { subjects } from '@credence/contracts';
import { PasswordHasher } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { ClientInfo } from '../sessions/client-info';
import { clientData, SessionLifecycle, TokenPair } from '../sessions/session-lifecycle';
import { AccountLockout } from './account-lockout';
import { LoginFailures } from './login-failures';
import { addressBucket } from './address-bucket';
import { RateLimiter } from './rate-limiter';
import { simpleLowerCase } from '../users/simple-lower-case';

interface Candidate {
  id: string;
  email: string;
  username: string | null;
  display_name: string | null;
  password_hash: string | null;
  status: 'invited' | 'active' | 'disabled';
  /** Seconds left of a lock recorded in Postgres (it outlives a Redis restart). */
  locked_for: number;
}

/** The account a credential proved, as sign-in reports it. */
export interface SignedInUser {
  id: string;
  email: string;
  username: string | null;
  display_name: string | null;
}

export interface LoginResult extends TokenPair {
  user: SignedInUser;
}

/**
 * Password sign-in. Every attempt costs one argon2id verification, against a dummy hash when no
 * account matches, so unknown user and wrong password look the same in time and answer.
 */
@Injectable()
export class PasswordLogin implements OnModuleInit {
  private dummyHash = '';

  constructor(
    private readonly hasher: PasswordHasher,
    private readonly runner: TenantTransactionRunner,
    private readonly failures: LoginFailures,
    private readonly sessions: SessionLifecycle,
    private readonly lockout: AccountLockout,
    private readonly limiter: RateLimiter,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hasher.hash(randomBytes(16).toString('hex'));
  }

  /** Signs in to the tenant in context (rate-limit keys and SQL both use it): authenticate, then an API session. */
  async login(identifier: string, password: string, client: ClientInfo): Promise<LoginResult> {
    const user = await this.authenticate(identifier, password, client);
    const { pair } = await this.sessions.startFor(user.id, 'local', client, {
      signedIn: (uow, session_id) => uow.event('auth.login.succeeded', subjects.user(user.id), { user_id: user.id, session_id, auth_method: 'local', ...clientData(client) }),
    });
    return { ...pair, user };
  }

  /**
   * Every check of a password sign-in (rate limit, lockout, dummy hash, account state) without
   * starting a session: the caller starts the one it needs (API session, or a browser session through
   * the hosted login page) and emits auth.login.succeeded with it. Failures are recorded here.
   */
  async authenticate(identifier: string, password: string, client: ClientInfo): Promise<SignedInUser> {
    const tenant = this.context.requireTenant();
    const normalized = simpleLowerCase(identifier.trim());
    // An e-mail has an @ and a username never does, so one identifier names at most one account.
    const column = normalized.includes('@') ? 'lower(email)' : 'lower(username)';
    // Lower-cased by Postgres on both sides: JavaScript lower-cases 'İ' and a final 'Σ' differently, and the
    // account of 'İnci@…' could never be found. `normalized` only names the failure counter.
    const [user] = await this.runner.queryInTenant<Candidate[]>(
      `SELECT id, email, username, display_name, password_hash, status,
              greatest(0, ceil(extract(epoch FROM locked_until - now())))::int AS locked_for
         FROM users WHERE ${column} = lower($1)`,
      [identifier.trim()],
    );
    // Failures count per account, whichever identifier was typed; per identifier only when no account matches.
    const subject = user ? `user:${user.id}` : `identifier:${normalized}`;
    // The client's rate limit, then the attempt, in one Redis round trip: the attempt is counted before the
    // password is checked, so concurrent guesses cannot outrun the lock (a lock recorded in Postgres needs no reservation).
    const rate = { key: this.limiter.key('login-ip', tenant.id, addressBucket(client.ip)), limit: this.config.LOGIN_IP_LIMIT_PER_MINUTE, windowSeconds: 60 };
    const lockedFor = await this.lockout.admit(tenant, subject, rate, user?.locked_for ?? 0);
    if (lockedFor > 0) {
      await this.failures.refused(user?.id ?? null, 'account_locked', client);
      throw new DomainError('auth.account.locked', undefined, undefined, { 'Retry-After': String(lockedFor) });
    }
    const matches = await this.hasher.verify(user?.password_hash ?? this.dummyHash, password).catch(async (err: unknown) => {
      await this.lockout.release(tenant, subject);
      throw err;
    });
    if (!user?.password_hash || !matches) {
      await this.failures.wrongPassword(tenant, subject, user?.id ?? null, client);
      throw new DomainError('auth.invalid_credentials');
    }
    if (user.status !== 'active') {
      await this.lockout.release(tenant, subject);
      await this.failures.refused(user.id, 'account_disabled', client);
      throw new DomainError('auth.account.disabled');
    }
    await this.lockout.clear(tenant, subject);
    return { id: user.id, email: user.email, username: user.username, display_name: user.display_name };
  }
}
