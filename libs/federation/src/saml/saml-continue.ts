import { Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import type { ClientInfo } from '@credence/identity';
import { DomainError } from '@credence/errors';
import { CompletedInteraction, PageError } from '@credence/oauth';
import type { Connection } from '../connections/connection';
import { CompleteFederatedSignIn } from '../login/complete-federated-sign-in';
import { FederatedSignIn } from '../users/federated-sign-in';
import { REFUSED_MESSAGE } from './saml-acs';
import { REFUSED_USER, SamlIdpInitiated } from './saml-idp-initiated';
import { SamlState, VerifiedSignIn } from './saml-state';

const EXPIRED = 'This sign-in has expired or was already used. Go back to the application and sign in again.';

/**
 * The same-site GET the ACS sends the browser to. The IdP's cross-site POST carries no SameSite=Lax
 * cookie, so only here can the interaction be matched with the browser that started it (its binding
 * cookie): a Response obtained in one browser cannot sign in another (login CSRF). An unsolicited
 * Response (no interaction) goes to SamlIdpInitiated, which the ACS let through only when allowed.
 */
@Injectable()
export class SamlContinue {
  constructor(
    private readonly state: SamlState,
    private readonly finish: CompleteFederatedSignIn,
    private readonly signIn: FederatedSignIn,
    private readonly idpInitiated: SamlIdpInitiated,
    private readonly context: RequestContext,
  ) {}

  /** The sign-in the ACS held under this token, taken (once). Separate from execute so that callers can read the connection meanwhile. */
  take(token: unknown): Promise<VerifiedSignIn | undefined> {
    return typeof token === 'string' ? this.state.takeSignIn(token) : Promise.resolve(undefined);
  }

  async execute(connection: Connection, held: VerifiedSignIn | undefined, binding: string | undefined, client: ClientInfo): Promise<CompletedInteraction> {
    if (!held || held.tenantId !== this.context.requireTenant().id || held.connectionId !== connection.id) throw new PageError(400, EXPIRED);
    if (!held.interactionId) return this.idpInitiated.execute(connection, held.identity, client);
    // The interaction is taken (and matched with this browser's binding cookie) inside the sign-in's
    // transaction; gone or another browser's, it undoes the sign-in and is refused here. Not read
    // beforehand: that was one more Redis round trip on every sign-in for the rare refusal.
    let result: Awaited<ReturnType<CompleteFederatedSignIn['execute']>>;
    try {
      result = await this.finish.execute(connection, held.identity, held.interactionId, binding, client);
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'oauth.interaction_expired')) throw err;
      await this.signIn.refuse(connection, 'in_response_to_unknown', client);
      throw new PageError(400, REFUSED_MESSAGE);
    }
    if (!result.ok) throw new PageError(403, REFUSED_USER);
    return result.completed;
  }
}
