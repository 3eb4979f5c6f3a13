import { Inject, Injectable } from '@nestjs/common';
import * as client from 'openid-client';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { PageError } from '@credence/oauth';
import type { Interaction } from '@credence/oauth';
import type { Connection } from '../connections/connection';
import { oidcRedirectUri } from '../connections/connection-urls';
import type { LoginStarter } from '../login/login-starters';
import { OidcClients } from './oidc-clients';
import { OidcState } from './oidc-state';

const UNAVAILABLE = 'The identity provider cannot be reached right now. Try again in a moment.';

/**
 * Sends the browser to the IdP's authorization endpoint (federation contract, "OIDC login"): code flow
 * with PKCE S256, a fresh `state` and `nonce`, and the connection's own redirect_uri (each connection
 * has its own, the mix-up defence). state, nonce and the code verifier stay in Redis with the
 * interaction they serve; nothing the IdP echoes back is trusted beyond finding them.
 */
@Injectable()
export class OidcLoginStarter implements LoginStarter {
  readonly type = 'oidc' as const;

  constructor(
    private readonly clients: OidcClients,
    private readonly state: OidcState,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async start(interaction: Interaction, connection: Connection): Promise<string> {
    const oidc = connection.oidc;
    if (!oidc) throw new Error(`connection ${connection.id} has no OIDC settings`);
    const tenant = this.context.requireTenant();
    let config: client.Configuration;
    try {
      config = await this.clients.configuration(connection);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'service.unavailable') throw err;
      throw new PageError(503, UNAVAILABLE);
    }
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    await this.state.remember(state, { tenantId: tenant.id, connectionId: connection.id, interactionId: interaction.id, nonce, codeVerifier });
    const params: Record<string, string> = {
      redirect_uri: oidcRedirectUri(this.config.CREDENCE_BASE_URL, tenant.slug, connection.id),
      scope: oidc.scopes.join(' '),
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    };
    if (interaction.loginHint) params.login_hint = interaction.loginHint;
    if (interaction.prompt === 'login') params.prompt = 'login';
    return client.buildAuthorizationUrl(config, params).href;
  }
}
