import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { ClientInfo, issuerFor } from '@credence/identity';
import { ApplicationClients, CompletedInteraction, PageError, SignInBrowser } from '@credence/oauth';
import type { Connection } from '../connections/connection';
import type { FederatedIdentity } from '../users/federated-identity';
import { FederatedSignIn } from '../users/federated-sign-in';
import { REFUSED_MESSAGE } from './saml-acs';

export const REFUSED_USER = 'You cannot sign in to this application with this account. Ask your administrator.';

/**
 * An IdP-initiated (unsolicited) sign-in the connection allows, after every check of the ACS passed.
 * Every client uses PKCE, so Credence never mints a code the app did not ask for: it signs the user
 * in to Credence (a browser session) and sends the browser to the connection's application at its
 * `initiate_login_uri` (OpenID Connect Core §4, login initiated by a third party) with `iss` and,
 * when configured, `target_link_uri`. The app then starts its own authorization request, answered
 * from that session. RelayState is never read: where the browser goes is the connection's setting.
 */
@Injectable()
export class SamlIdpInitiated {
  constructor(
    private readonly applications: ApplicationClients,
    private readonly signIn: FederatedSignIn,
    private readonly browser: SignInBrowser,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(connection: Connection, identity: FederatedIdentity, client: ClientInfo): Promise<CompletedInteraction> {
    const saml = connection.saml!;
    const app = saml.allow_idp_initiated && saml.idp_initiated_client_id ? await this.applications.find(saml.idp_initiated_client_id) : undefined;
    // Refused before any user is looked at: no login initiation URL, or an app that may not use this connection.
    if (!app?.initiateLoginUri || (app.connections && !app.connections.includes(connection.id))) {
      await this.signIn.refuse(connection, 'idp_initiated_refused', client);
      throw new PageError(400, REFUSED_MESSAGE);
    }
    // The browser session starts in the sign-in's own transaction, while it holds the user's row.
    const result = await this.signIn.resolveAnd(connection, identity, client, (uow, userId) =>
      this.browser.inUnit(uow, { userId, method: 'saml', idp: connection.id }, app.clientId, client),
    );
    if (!result.ok) throw new PageError(403, REFUSED_USER);
    const started = result.value;
    const target = new URL(app.initiateLoginUri);
    target.searchParams.set('iss', issuerFor(this.config.CREDENCE_BASE_URL, this.context.requireTenant().slug));
    if (saml.idp_initiated_target_link_uri) target.searchParams.set('target_link_uri', saml.idp_initiated_target_link_uri);
    return { redirectTo: target.toString(), sessionCookie: started.cookie };
  }
}
