import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { ClientInfo, issuerFor } from '@credence/identity';
import { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { BrowserSession, BrowserSessions } from '@credence/identity';
import { AuthorizationCodes } from '../../codes/authorization-codes';
import { amrFor, AuthenticatedUser, Interaction } from '../interaction';
import { InteractionStore } from '../interaction-store';

export interface CompletedInteraction {
  /** The app's redirect_uri with code, state and iss. */
  redirectTo: string;
  /** Set when a new browser session started: its cookie value and lifetime. */
  sessionCookie?: { value: string; maxAgeSeconds: number };
}

/** The redirect back to the app, success or error (RFC 6749 §4.1.2, RFC 9207 `iss`). */
export function redirectToClient(redirectUri: string, issuer: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  url.searchParams.set('iss', issuer);
  return url.toString();
}

/**
 * The one way a sign-in finishes, whoever proved the user (hosted page: password or code; federation:
 * SAML, OIDC, LDAP): the interaction is taken (so it completes once), a browser session starts, and
 * the app gets a code. `alsoInTransaction` lets the caller spend what proved the user (a one-time
 * code) in the same transaction, so it signs in at most once.
 */
@Injectable()
export class CompleteInteraction {
  constructor(
    private readonly interactions: InteractionStore,
    private readonly browserSessions: BrowserSessions,
    private readonly codes: AuthorizationCodes,
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(
    interactionId: string,
    bindingCookie: string | undefined,
    user: AuthenticatedUser,
    client: ClientInfo,
    alsoInTransaction?: (uow: UnitOfWork) => Promise<void>,
  ): Promise<CompletedInteraction> {
    const interaction = await this.interactions.take(interactionId, bindingCookie);
    if (!interaction) throw new DomainError('oauth.interaction_expired');
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
        client_id: interaction.clientId,
        ...(user.idp ? { idp: user.idp } : {}),
        ip: client.ip,
        user_agent: client.userAgent,
        device_type: client.deviceType,
        location: client.location,
      });
      return result;
    });
    const redirectTo = await this.answer(interaction, started.session);
    return { redirectTo, sessionCookie: { value: started.token, maxAgeSeconds: started.maxAgeSeconds } };
  }

  /** A code for an interaction answered from an existing browser session (single sign-on), or just after a sign-in. */
  async answer(interaction: Pick<Interaction, 'clientId' | 'redirectUri' | 'codeChallenge' | 'scope' | 'nonce' | 'state'>, session: BrowserSession): Promise<string> {
    const code = await this.codes.issue({
      clientId: interaction.clientId,
      redirectUri: interaction.redirectUri,
      codeChallenge: interaction.codeChallenge,
      scope: interaction.scope,
      nonce: interaction.nonce,
      userId: session.userId,
      method: session.method,
      browserSessionId: session.id,
      authTime: session.authTime,
      amr: session.amr,
      idp: session.idp ?? undefined,
    });
    return redirectToClient(interaction.redirectUri, this.issuer(), { code, state: interaction.state });
  }

  issuer(): string {
    return issuerFor(this.config.CREDENCE_BASE_URL, this.context.requireTenant().slug);
  }
}
