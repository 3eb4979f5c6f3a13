import { Injectable } from '@nestjs/common';
import type { ClientInfo } from '@credence/identity';
import { CompletedInteraction, PageError } from '@credence/oauth';
import type { Connection } from '../connections/connection';
import { CompleteFederatedSignIn } from '../login/complete-federated-sign-in';
import type { FederatedIdentity } from '../users/federated-identity';

/** Shown when the identity checks passed but the user may not sign in (the audit trail says why). */
export const REFUSED_USER = 'You cannot sign in with this account. Ask your administrator.';

/**
 * The one place an OIDC sign-in turns into a Credence user and a finished interaction: link, JIT, group
 * rules and profile, then the session and code, in one tenant transaction (CompleteFederatedSignIn).
 */
@Injectable()
export class OidcFinish {
  constructor(private readonly signIn: CompleteFederatedSignIn) {}

  async execute(connection: Connection, identity: FederatedIdentity, interactionId: string, binding: string | undefined, client: ClientInfo): Promise<CompletedInteraction> {
    const result = await this.signIn.execute(connection, identity, interactionId, binding, client);
    if (!result.ok) throw new PageError(403, REFUSED_USER);
    return result.completed;
  }
}
