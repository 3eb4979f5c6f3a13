import { Injectable } from '@nestjs/common';
import type { ClientInfo } from '@credence/identity';
import { CompleteInteraction, CompletedInteraction } from '@credence/oauth';
import type { Connection } from '../connections/connection';
import type { FederatedIdentity, FederatedSignInRefusal, FederatedSignInSuccess } from '../users/federated-identity';
import { FederatedSignIn } from '../users/federated-sign-in';

export type FederatedCompletion = (FederatedSignInSuccess & { completed: CompletedInteraction }) | FederatedSignInRefusal;

/**
 * How a sign-in through a connection ends when an app's interaction waits for it (SAML continue step, OIDC
 * callback, the hosted page's LDAP form): FederatedSignIn (link, verified-domain linking, JIT, profile and
 * group rules, `federation.login.succeeded`) and CompleteInteraction (the interaction taken, the browser
 * session, `auth.login.succeeded`, the code) in one tenant transaction, instead of `resolve` then
 * `execute` in two. The connection is used as the caller loaded it for this request, not read again.
 * A refusal records `federation.login.failed`, starts nothing and leaves the interaction in place; an
 * interaction gone meanwhile (`oauth.interaction_expired`) undoes the whole sign-in.
 */
@Injectable()
export class CompleteFederatedSignIn {
  constructor(
    private readonly signIn: FederatedSignIn,
    private readonly complete: CompleteInteraction,
  ) {}

  async execute(connection: Connection, identity: FederatedIdentity, interactionId: string, bindingCookie: string | undefined, client: ClientInfo): Promise<FederatedCompletion> {
    const outcome = await this.signIn.resolveAnd(connection, identity, client, (uow, userId) =>
      this.complete.inUnit(uow, interactionId, bindingCookie, { userId, method: connection.type, idp: connection.id }, client),
    );
    if (!outcome.ok) return outcome;
    return { ok: true, userId: outcome.userId, jitCreated: outcome.jitCreated, completed: outcome.value };
  }
}
