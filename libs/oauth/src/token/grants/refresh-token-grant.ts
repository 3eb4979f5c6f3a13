import { Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { RefreshSession } from '@credence/identity';
import type { UnitOfWork } from '@credence/tenancy';
import { ApplicationClient } from '../../applications/application-clients';
import { IdTokenMinter } from '../../tokens/id-token-minter';
import { scopeSet } from '../../tokens/scopes';
import { userRecordColumns, type UserRecord } from '../../tokens/user-claims';
import { invalidRequest } from '../oauth-error';
import { TokenResponse } from '../token-response';

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
    private readonly idTokens: IdTokenMinter,
    private readonly context: RequestContext,
  ) {}

  async exchange(client: ApplicationClient, form: Record<string, string>): Promise<TokenResponse> {
    if (!form.refresh_token) throw invalidRequest('refresh_token is required.');
    // A `scope` parameter is ignored: Credence never narrows on refresh, and the response names the scope granted (§5.1).
    let facts: IdTokenFacts | undefined;
    const { pair, session } = await this.refreshSession.rotate(form.refresh_token, client.clientId, async (uow, refreshed) => {
      facts = scopeSet(refreshed.scope).has('openid') ? await readIdTokenFacts(uow, refreshed.userId, refreshed.browserSessionId) : undefined;
    });
    const scope = session.scope ?? '';
    const idToken = facts ? await this.idToken(client, facts, scope, pair.access_token) : undefined;
    return {
      access_token: pair.access_token,
      token_type: 'Bearer',
      expires_in: pair.expires_in,
      refresh_token: pair.refresh_token,
      ...(idToken ? { id_token: idToken } : {}),
      scope,
    };
  }

  private idToken(client: ApplicationClient, facts: IdTokenFacts, scope: string, accessToken: string): Promise<string> {
    const { user, browser } = facts;
    return this.idTokens.mint(this.context.requireTenant(), {
      user,
      clientId: client.clientId,
      scope,
      authTime: browser?.authTime,
      sid: browser?.id,
      amr: browser?.amr,
      idp: browser?.idp ?? undefined,
      accessToken,
    });
  }
}

/** The user and the browser session (when it still exists) an ID token speaks of. */
interface IdTokenFacts {
  user: UserRecord;
  browser?: { id: string; authTime: number; amr: string[]; idp: string | null };
}

/** Both in one statement, in the rotation's transaction. No lock: these are claims to copy, not a decision. */
async function readIdTokenFacts(uow: UnitOfWork, userId: string, browserSessionId: string | null): Promise<IdTokenFacts | undefined> {
  const [row] = await uow.query<(UserRecord & { browser_id: string | null; auth_time: string | null; amr: string[] | null; idp: string | null })[]>(
    `SELECT ${userRecordColumns('u')},
            b.id AS browser_id, floor(extract(epoch FROM b.auth_time))::bigint AS auth_time, b.amr, b.idp
       FROM users u LEFT JOIN browser_sessions b ON b.id = $2::uuid
      WHERE u.id = $1`,
    [userId, browserSessionId],
  );
  if (!row) return undefined;
  const { browser_id, auth_time, amr, idp, ...user } = row;
  return { user, browser: browser_id ? { id: browser_id, authTime: Number(auth_time), amr: amr ?? [], idp } : undefined };
}
