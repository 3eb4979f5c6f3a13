import { Injectable } from '@nestjs/common';
import type { AfterLogout, FederatedLogout } from '@credence/oauth';
import type { BrowserSession } from '@credence/identity';
import { ConnectionStore } from '../connections/connection-store';
import { SamlSpLogout } from '../saml/saml-sp-logout';

/**
 * Federation's side of the OpenID Provider's FEDERATED_LOGOUT port: single logout at the IdP a browser
 * session came through (SAML today; OIDC RP-initiated logout with its issue).
 */
@Injectable()
export class ConnectionsLogout implements FederatedLogout {
  constructor(
    private readonly connections: ConnectionStore,
    private readonly saml: SamlSpLogout,
  ) {}

  async logoutUrl(session: Pick<BrowserSession, 'id' | 'userId' | 'idp'>, after: AfterLogout): Promise<string | undefined> {
    const connection = session.idp ? await this.connections.find(session.idp) : undefined;
    if (connection?.type === 'saml') return this.saml.logoutUrl(connection, session.userId, after);
    return undefined;
  }
}
