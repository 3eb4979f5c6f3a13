import { Injectable } from '@nestjs/common';
import { ActorSystem } from '@credence/actors';
import { RequestContext, TenantRef } from '@credence/context';
import { subjects } from '@credence/contracts';
import { sha256 } from '@credence/crypto';
import { TenantTransactionRunner } from '@credence/tenancy';
import { RevocationStore } from '../revocation/revocation-store';
import { SessionLifecycle, sessionActor } from '../sessions/session-lifecycle';
import { REFRESH_TOKEN_PATTERN } from '../sessions/session-tokens';
import { InvalidTokenError, TokenVerifier } from '../tokens/token-verifier';

const REASON = 'revoked_by_service';

/**
 * RFC 7009 for this tenant's tokens. A refresh token ends its whole session (the family); an
 * access token is revoked by its jti alone. A token that is unknown, expired, of another tenant or
 * already revoked changes nothing and is not an error (§2.2). Redis being unwritable is: 503.
 */
@Injectable()
export class TokenRevocation {
  constructor(
    private readonly actors: ActorSystem,
    private readonly runner: TenantTransactionRunner,
    private readonly verifier: TokenVerifier,
    private readonly revocations: RevocationStore,
    private readonly sessions: SessionLifecycle,
    private readonly context: RequestContext,
  ) {}

  /** For the tenant in context. */
  async revoke(token: string): Promise<void> {
    const tenant = this.context.requireTenant();
    return REFRESH_TOKEN_PATTERN.test(token) ? this.refreshToken(tenant, token) : this.accessToken(tenant, token);
  }

  private async refreshToken(tenant: TenantRef, token: string): Promise<void> {
    const [found] = await this.runner.inTenant((uow) => uow.query<{ session_id: string }[]>(`SELECT session_id FROM refresh_tokens WHERE token_hash = $1`, [sha256(token)]));
    if (found) await this.sessions.revokeSession(found.session_id, REASON);
  }

  private async accessToken(tenant: TenantRef, token: string): Promise<void> {
    let principal;
    try {
      principal = await this.verifier.verify(tenant, token, { checkRevocation: false });
    } catch (err) {
      if (err instanceof InvalidTokenError) return;
      throw err;
    }
    const { jti, sessionId, userId, expiresAt } = principal;
    await this.actors.send(sessionActor(tenant.id, sessionId), async (uow) => {
      const [already] = await uow.query<unknown[]>(`SELECT 1 FROM revoked_access_tokens WHERE jti = $1`, [jti]);
      if (already) return;
      await this.revocations.revoke(uow, { tokens: [{ jti, sessionId, expiresAt }], reason: REASON });
      uow.emit('auth.token.revoked', subjects.session(sessionId), { session_id: sessionId, user_id: userId, jti, reason: REASON });
    });
  }
}
