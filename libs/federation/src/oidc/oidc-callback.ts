import { Inject, Injectable } from '@nestjs/common';
import * as client from 'openid-client';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import type { ClientInfo } from '@credence/identity';
import { CompletedInteraction, InteractionStore, PageError } from '@credence/oauth';
import type { Connection, ConnectionSecrets } from '../connections/connection';
import { oidcRedirectUri } from '../connections/connection-urls';
import { ConnectionStore } from '../connections/connection-store';
import { FederatedSignIn } from '../users/federated-sign-in';
import type { FederatedIdentity } from '../users/federated-identity';
import { clientAuthentication } from './oidc-client-auth';
import { Claims, identityFrom, missingClaims } from './oidc-claims';
import { OidcClients } from './oidc-clients';
import { OidcFinish } from './oidc-finish';
import { OidcRefusal, refusalFrom } from './oidc-refusal';
import { OidcState } from './oidc-state';

/** What the browser is told when a callback is refused: nothing about why (the audit trail says it). */
export const REFUSED_MESSAGE = 'The identity provider’s answer could not be accepted. Go back to the application and sign in again.';
export interface OidcConnection {
  connection: Connection;
  secrets: () => ConnectionSecrets;
}

const UNAVAILABLE_MESSAGE = 'The identity provider did not answer in time. Go back to the application and sign in again.';

/**
 * The redirect_uri of an OIDC connection. The checks, top to bottom, each a refusal with its reason:
 * the connection is enabled; `state` names a sign-in of this connection not yet used (taken once);
 * the browser is the one that started it (its binding cookie; the IdP's redirect is a top-level GET,
 * so the SameSite=Lax cookie arrives); then openid-client: `iss` (RFC 9207, required when the IdP
 * advertises it), the code exchanged with the PKCE verifier, the ID token's signature (one JWKS
 * refetch for an unknown kid), issuer, audience, expiry and nonce; userinfo, when read, for the same sub.
 */
@Injectable()
export class OidcCallback {
  constructor(
    private readonly connections: ConnectionStore,
    private readonly clients: OidcClients,
    private readonly state: OidcState,
    private readonly interactions: InteractionStore,
    private readonly signIn: FederatedSignIn,
    private readonly finish: OidcFinish,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The OIDC connection named by the route (with its sealed secrets, read in the same transaction), or
   * a 404 page (no event: there is no connection to record it on).
   */
  async connection(id: string): Promise<OidcConnection> {
    const found = await this.connections.findWithSecrets(id);
    if (!found || found.connection.type !== 'oidc' || !found.connection.oidc) throw new PageError(404, 'This sign-in page does not exist.');
    return found;
  }

  async execute({ connection, secrets }: OidcConnection, rawQuery: string, binding: string | undefined, info: ClientInfo): Promise<CompletedInteraction> {
    let verified: { identity: FederatedIdentity; interactionId: string };
    try {
      verified = await this.verify(connection, secrets, rawQuery, binding);
    } catch (err) {
      const refusal = refusalFrom(err);
      await this.signIn.refuse(connection, refusal.reason, info);
      throw new PageError(refusal.reason === 'idp_unavailable' ? 503 : 400, refusal.reason === 'idp_unavailable' ? UNAVAILABLE_MESSAGE : REFUSED_MESSAGE);
    }
    return this.finish.execute(connection, verified.identity, verified.interactionId, binding, info);
  }

  private async verify(
    connection: Connection,
    secrets: () => ConnectionSecrets,
    rawQuery: string,
    binding: string | undefined,
  ): Promise<{ identity: FederatedIdentity; interactionId: string }> {
    if (!connection.enabled) throw new OidcRefusal('connection_disabled', 'the connection is disabled');
    if (rawQuery.length > 8192) throw new OidcRefusal('too_large', 'callback query too long');
    const tenant = this.context.requireTenant();
    const params = new URLSearchParams(rawQuery);
    const state = params.getAll('state');
    const pending = state.length === 1 ? await this.state.take(state[0]) : undefined;
    if (!pending || pending.tenantId !== tenant.id || pending.connectionId !== connection.id) throw new OidcRefusal('state_mismatch', 'no sign-in waits for this state');
    const interaction = await this.interactions.load(pending.interactionId, binding);
    if (!interaction) throw new OidcRefusal('state_mismatch', 'the sign-in was started by another browser, or has expired');

    const auth = await clientAuthentication(connection.oidc!, secrets());
    const config = await this.clients.configuration(connection, auth);
    const callback = new URL(oidcRedirectUri(this.config.CREDENCE_BASE_URL, tenant.slug, connection.id));
    callback.search = params.toString();
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: state[0],
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    this.clients.keepKeys(connection, config);
    const claims = tokens.claims() as Claims | undefined;
    if (!claims || typeof claims.sub !== 'string') throw new OidcRefusal('id_token_invalid', 'no ID token');
    const userinfo = await this.userinfo(connection, config, tokens.access_token, claims);
    return { identity: identityFrom(claims, userinfo, connection.attributeMapping), interactionId: interaction.id };
  }

  /** Read only when the ID token lacks the e-mail or an explicitly mapped claim; its `sub` must be the ID token’s. */
  private async userinfo(connection: Connection, config: client.Configuration, accessToken: string, claims: Claims): Promise<Claims | undefined> {
    if (!config.serverMetadata().userinfo_endpoint || !missingClaims(claims, connection.attributeMapping)) return undefined;
    try {
      return (await client.fetchUserInfo(config, accessToken, claims.sub as string)) as Claims;
    } catch (err) {
      const codes = new Set<unknown>();
      for (let e = err as { code?: unknown; cause?: unknown } | undefined, n = 0; e && n < 6; e = e.cause as typeof e, n += 1) codes.add(e.code);
      if (codes.has('OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED')) throw new OidcRefusal('subject_mismatch', 'userinfo names another sub');
      throw err;
    }
  }
}
