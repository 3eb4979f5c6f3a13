import { Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { RefreshSession } from '@credence/identity';
import { TenantTransactionRunner } from '@credence/tenancy';
import { ApplicationClient } from '../../applications/application-clients';
import { IdTokenMinter } from '../../tokens/id-token-minter';
import { scopeSet } from '../../tokens/scopes';
import { UserRecords } from '../../tokens/user-claims';
import { invalidRequest } from '../oauth-error';
import { TokenResponse } from '../token-response';

interface BrowserSessionFacts {
  auth_time: number;
  amr: string[];
  idp: string | null;
}

/**
 * RFC 6749 §6 through identity's rotation (reuse detection included): the token must belong to a session
 * of this client, checked inside the locked read, so another client's token is refused without being
 * rotated or burnt. Identity's refusals reach the filter as DomainErrors and leave as invalid_grant.
 * When the session's scope has openid, a fresh ID token comes along (OIDC Core §12.2): no nonce; auth_time,
 * amr and idp from the browser session when it still exists.
 */
@Injectable()
export class RefreshTokenGrant {
  constructor(
    private readonly refreshSession: RefreshSession,
    private readonly users: UserRecords,
    private readonly idTokens: IdTokenMinter,
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
  ) {}

  async exchange(client: ApplicationClient, form: Record<string, string>): Promise<TokenResponse> {
    if (!form.refresh_token) throw invalidRequest('refresh_token is required.');
    // A `scope` parameter is ignored: Credence never narrows on refresh, and the response names the scope granted (§5.1).
    const { pair, session } = await this.refreshSession.rotate(form.refresh_token, client.clientId);
    const scope = session.scope ?? '';
    const idToken = scopeSet(scope).has('openid') ? await this.idToken(client, session.userId, scope, session.browserSessionId, pair.access_token) : undefined;
    return {
      access_token: pair.access_token,
      token_type: 'Bearer',
      expires_in: pair.expires_in,
      refresh_token: pair.refresh_token,
      ...(idToken ? { id_token: idToken } : {}),
      scope,
    };
  }

  private async idToken(client: ApplicationClient, userId: string, scope: string, browserSessionId: string | null, accessToken: string): Promise<string | undefined> {
    const user = await this.users.find(userId);
    if (!user) return undefined;
    const [browser] = browserSessionId
      ? await this.runner.inTenant((uow) =>
          uow.query<BrowserSessionFacts[]>(`SELECT floor(extract(epoch FROM auth_time))::bigint AS auth_time, amr, idp FROM browser_sessions WHERE id = $1`, [browserSessionId]),
        )
      : [];
    return this.idTokens.mint(this.context.requireTenant(), {
      user,
      clientId: client.clientId,
      scope,
      authTime: browser ? Number(browser.auth_time) : undefined,
      sid: browser ? (browserSessionId ?? undefined) : undefined,
      amr: browser?.amr,
      idp: browser?.idp ?? undefined,
      accessToken,
    });
  }
}
