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
    const amr = amrFor(user.method);
    const started = await this.runner.inTenant(async (uow) => {
      const [account] = await uow.query<{ status: string }[]>('SELECT status FROM users WHERE id = $1 FOR SHARE', [user.userId]);
      if (account?.status !== 'active') throw new DomainError('auth.account.disabled');
      if (alsoInTransaction) await alsoInTransaction(uow);
      const result = await this.browserSessions.start(uow, { userId: user.userId, method: user.method, amr, idp: user.idp });
      uow.emit('auth.login.succeeded', subjects.user(user.userId), {
        user_id: user.userId,
        session_id: result.session.id,
        auth_method: user.method,
        client_id: clientId,
        ...(user.idp ? { idp: user.idp } : {}),
        ip: client.ip,
        user_agent: client.userAgent,
        device_type: client.deviceType,
        location: client.location,
      });
      return result;
    });
    return { session: started.session, cookie: { value: started.token, maxAgeSeconds: started.maxAgeSeconds } };
  }
}
