import { Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { ClientInfo, SessionLifecycle } from '@credence/identity';
import { DomainError } from '@credence/errors';
import { ApplicationClient } from '../../applications/application-clients';
import { AuthorizationCodes } from '../../codes/authorization-codes';
import { IdTokenMinter } from '../../tokens/id-token-minter';
import { scopeSet } from '../../tokens/scopes';
import { invalidGrant, invalidRequest } from '../oauth-error';
import { verifierMatches } from '../pkce';
import { TokenResponse } from '../token-response';

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636). The code is spent first, atomically, and only then checked
 * against client, redirect URI and verifier: a code presented with a wrong binding is gone too (an
 * attacker holding a stolen code gets one try, and so does the app). A code presented again revokes the
 * session its first exchange started (§4.1.2), also when it comes in while that exchange runs: of two
 * concurrent exchanges exactly one answers 200, and its tokens end up revoked.
 */
@Injectable()
export class AuthorizationCodeGrant {
  constructor(
    private readonly codes: AuthorizationCodes,
    private readonly sessions: SessionLifecycle,
    private readonly idTokens: IdTokenMinter,
    private readonly context: RequestContext,
  ) {}

  async exchange(client: ApplicationClient, form: Record<string, string>, clientInfo: ClientInfo): Promise<TokenResponse> {
    const code = form.code;
    if (!code) throw invalidRequest('code is required.');
    if (!form.redirect_uri) throw invalidRequest('redirect_uri is required.');
    if (!form.code_verifier) throw invalidRequest('code_verifier is required (PKCE).');

    const redemption = await this.codes.consume(code);
    if (redemption.kind === 'replayed') {
      if (redemption.sessionId) await this.sessions.revokeSession(redemption.sessionId, 'authorization_code_reuse');
      throw invalidGrant();
    }
    if (redemption.kind === 'unknown') throw invalidGrant();
    const grant = redemption.grant;
    if (grant.clientId !== client.clientId || grant.redirectUri !== form.redirect_uri || !verifierMatches(form.code_verifier, grant.codeChallenge)) {
      throw invalidGrant();
    }

    const scope = grant.scope.join(' ');
    // The session's own statement reads the user under a share lock and refuses one who is not active (a
    // user disabled meanwhile cannot keep the new session); the record feeds the ID token's claims.
    const { pair, user } = await this.sessions
      .startFor(grant.userId, grant.method, clientInfo, { oauth: { clientId: client.clientId, scope, browserSessionId: grant.browserSessionId } })
      .catch((err: unknown) => {
        throw err instanceof DomainError && err.code === 'auth.account.disabled' ? invalidGrant() : err;
      });
    // Exactly one exchange wins the code and answers with tokens; when a replay came in meanwhile, those
    // tokens are already revoked by the time the app uses them (the replay could not know the session yet).
    if ((await this.codes.attach(code, pair.session_id)) === 'replayed') await this.sessions.revokeSession(pair.session_id, 'authorization_code_reuse');

    const granted = scopeSet(grant.scope);
    const idToken = granted.has('openid')
      ? await this.idTokens.mint(this.context.requireTenant(), {
          user,
          clientId: client.clientId,
          scope: grant.scope,
          authTime: grant.authTime,
          nonce: grant.nonce,
          sid: grant.browserSessionId,
          amr: grant.amr,
          idp: grant.idp,
          accessToken: pair.access_token,
        })
      : undefined;
    return {
      access_token: pair.access_token,
      token_type: 'Bearer',
      expires_in: pair.expires_in,
      // The session always has a refresh token; the app receives it only when it asked for offline access.
      ...(granted.has('offline_access') ? { refresh_token: pair.refresh_token } : {}),
      ...(idToken ? { id_token: idToken } : {}),
      scope,
    };
  }
}
