import { Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { TokenIssuer } from '@credence/identity';
import { ApplicationClient } from '../../applications/application-clients';
import { OAuthError } from '../oauth-error';
import { TokenResponse } from '../token-response';

/**
 * RFC 6749 §4.4 for confidential applications: an access token whose `sub` and `client_id` are the app,
 * with no session and no roles (user routes refuse it; introspection answers it). No refresh token, no
 * ID token, no event. Credence defines no scopes for machines: a `scope` parameter is refused unless empty.
 */
@Injectable()
export class ClientCredentialsGrant {
  constructor(
    private readonly issuer: TokenIssuer,
    private readonly context: RequestContext,
  ) {}

  async exchange(client: ApplicationClient, form: Record<string, string>): Promise<TokenResponse> {
    if (client.type !== 'confidential') throw new OAuthError('unauthorized_client', 'Only confidential applications may use client_credentials.');
    if (form.scope !== undefined && form.scope.trim() !== '') throw new OAuthError('invalid_scope', 'No scope is defined for client_credentials.');
    const access = await this.issuer.issueForClient(this.context.requireTenant(), client.clientId);
    return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn };
  }
}
