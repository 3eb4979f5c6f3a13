import { Injectable } from '@nestjs/common';
import type { ClientInfo } from '@credence/identity';
import { CompleteInteraction, CompletedInteraction, PageError } from '@credence/oauth';
import type { Connection } from '../connections/connection';
import type { FederatedIdentity } from '../users/federated-identity';
import { FederatedSignIn } from '../users/federated-sign-in';

/** Shown when the identity checks passed but the user may not sign in (the audit trail says why). */
export const REFUSED_USER = 'You cannot sign in with this account. Ask your administrator.';

/**
 * The one place an OIDC sign-in turns into a Credence user and a finished interaction: the shared
 * FederatedSignIn (link, JIT, group rules, profile), then CompleteInteraction (session and code).
 */
@Injectable()
export class OidcFinish {
  constructor(
    private readonly signIn: FederatedSignIn,
    private readonly complete: CompleteInteraction,
  ) {}

  async execute(connection: Connection, identity: FederatedIdentity, interactionId: string, binding: string | undefined, client: ClientInfo): Promise<CompletedInteraction> {
    const result = await this.signIn.resolve(connection, identity, client);
    if (!result.ok) throw new PageError(403, REFUSED_USER);
    return this.complete.execute(interactionId, binding, { userId: result.userId, method: 'oidc', idp: connection.id }, client);
  }
}
