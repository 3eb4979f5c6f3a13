import { Injectable } from '@nestjs/common';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { BrowserSession, BrowserSessions, ClientInfo } from '@credence/identity';
import { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { amrFor, AuthenticatedUser } from '../interaction';

export interface StartedBrowserSession {
  session: BrowserSession;
  /** The cookie value (shown only here) and its lifetime. */
  cookie: { value: string; maxAgeSeconds: number };
}

/**
 * Starts the tenant's browser session for a user someone just proved (the one way a sign-in becomes a
 * session): the account must still be active, `auth.login.succeeded` is recorded in the same
 * transaction. CompleteInteraction uses it to answer an app's request; an IdP-initiated sign-in
 * (OIDC Core §4) uses it alone, with no interaction: the app then asks for its code as usual.
 */
@Injectable()
export class SignInBrowser {
  constructor(
    private readonly browserSessions: BrowserSessions,
    private readonly runner: TenantTransactionRunner,
  ) {}

  /** `clientId`: the app the sign-in is for (recorded in the event). `alsoInTransaction` spends what proved the user (a one-time code). */
  async execute(user: AuthenticatedUser, clientId: string, client: ClientInfo, alsoInTransaction?: (uow: UnitOfWork) => Promise<void>): Promise<StartedBrowserSession> {
    return this.runner.inTenant(async (uow) => {
      const [account] = await uow.query<{ status: string }[]>('SELECT status FROM users WHERE id = $1 FOR SHARE', [user.userId]);
      if (account?.status !== 'active') throw new DomainError('auth.account.disabled');
      if (alsoInTransaction) await alsoInTransaction(uow);
      return this.inUnit(uow, user, clientId, client);
    });
  }

  /**
   * The same inside the caller's unit of work, for a caller that has just locked the user's row and seen it
   * active in that unit (federation's sign-in), so it is not read again. Nothing is committed until the caller's unit is.
   */
  async inUnit(uow: UnitOfWork, user: AuthenticatedUser, clientId: string, client: ClientInfo): Promise<StartedBrowserSession> {
    const started = await this.browserSessions.start(uow, { userId: user.userId, method: user.method, amr: amrFor(user.method), idp: user.idp });
    uow.emit('auth.login.succeeded', subjects.user(user.userId), {
      user_id: user.userId,
      session_id: started.session.id,
      auth_method: user.method,
      client_id: clientId,
      ...(user.idp ? { idp: user.idp } : {}),
      ip: client.ip,
      user_agent: client.userAgent,
      device_type: client.deviceType,
      location: client.location,
    });
    return { session: started.session, cookie: { value: started.token, maxAgeSeconds: started.maxAgeSeconds } };
  }
}
