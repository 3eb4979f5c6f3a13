import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { ClientInfo, issuerFor } from '@credence/identity';
import type { UnitOfWork } from '@credence/tenancy';
import type { BrowserSession } from '@credence/identity';
import { AuthorizationCodes } from '../../codes/authorization-codes';
import { AuthenticatedUser, Interaction } from '../interaction';
import { InteractionStore } from '../interaction-store';
import { SignInBrowser } from '../sign-in-browser/sign-in-browser';

export interface CompletedInteraction {
  /** The app's redirect_uri with code, state and iss. */
  redirectTo: string;
  /** Set when a new browser session started: its cookie value and lifetime. */
  sessionCookie?: { value: string; maxAgeSeconds: number };
}

/** The redirect back to the app, success or error (RFC 6749 §4.1.2, RFC 9207 `iss`). */
export function redirectToClient(redirectUri: string, issuer: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  const ours = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) ours.set(name, value);
  ours.set('iss', issuer);
  // RFC 6749 §3.1.2: the registered query is kept as written (not re-encoded: `;`, `+`, a bare `flag`), but never
  // a parameter of ours, which the app would otherwise find twice (a fixed `state` beside the real one).
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !ours.has(queryName(pair)));
  url.search = [...kept, ours.toString()].join('&');
  return url.toString();
}

/** The decoded name of one `name=value` pair of a query; a name that does not decode is kept as it is. */
function queryName(pair: string): string {
  const name = pair.split('=', 1)[0].replace(/\+/g, ' ');
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * The one way a sign-in finishes, whoever proved the user (hosted page: password or code; federation:
 * SAML, OIDC, LDAP): the interaction is taken (so it completes once), a browser session starts
 * (SignInBrowser), and the app gets a code. `alsoInTransaction` lets the caller spend what proved the
 * user (a one-time code) in the same transaction, so it signs in at most once.
 */
@Injectable()
export class CompleteInteraction {
  constructor(
    private readonly interactions: InteractionStore,
    private readonly signIn: SignInBrowser,
    private readonly codes: AuthorizationCodes,
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
    const started = await this.signIn.execute(user, interaction.clientId, client, alsoInTransaction);
    const redirectTo = await this.answer(interaction, started.session);
    return { redirectTo, sessionCookie: started.cookie };
  }

  /**
   * The same inside the caller's unit of work, for a caller that decides who signs in within it and holds
   * that user's row, seen active (federation: link, JIT and group rules, then this: one transaction). The
   * interaction is taken here, so a caller that refuses the user takes nothing; the code names a browser
   * session that exists once the caller's unit commits, and nobody holds the code before the caller answers.
   */
  async inUnit(uow: UnitOfWork, interactionId: string, bindingCookie: string | undefined, user: AuthenticatedUser, client: ClientInfo): Promise<CompletedInteraction> {
    const interaction = await this.interactions.take(interactionId, bindingCookie);
    if (!interaction) throw new DomainError('oauth.interaction_expired');
    const started = await this.signIn.inUnit(uow, user, interaction.clientId, client);
    const redirectTo = await this.answer(interaction, started.session);
    return { redirectTo, sessionCookie: started.cookie };
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
