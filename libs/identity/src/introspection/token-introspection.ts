import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext, TenantRef } from '@credence/context';
import { sha256 } from '@credence/crypto';
import { TenantTransactionRunner } from '@credence/tenancy';
import { REFRESH_TOKEN_PATTERN } from '../sessions/session-tokens';
import { issuerFor } from '../tokens/token-issuer';
import { InvalidTokenError, TokenVerifier } from '../tokens/token-verifier';
import { IntrospectionResponse } from './dto/introspection.response';

const INACTIVE: IntrospectionResponse = { active: false };

/**
 * RFC 7662 for this tenant's tokens. An access token goes through TokenVerifier, revocation
 * included: when revocation state cannot be read it throws 503 and the answer is never
 * `active: true`. A refresh token is active while its row and its session are.
 */
@Injectable()
export class TokenIntrospection {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // The format tells the two kinds apart, so the hint never decides what is searched (RFC 7662 §2.1).
  async introspect(token: string): Promise<IntrospectionResponse> {
    const tenant = this.context.requireTenant();
    return REFRESH_TOKEN_PATTERN.test(token) ? this.refreshToken(tenant, token) : this.accessToken(tenant, token);
  }

  private async accessToken(tenant: TenantRef, token: string): Promise<IntrospectionResponse> {
    let c: Record<string, unknown>;
    try {
      c = await this.verifier.verifyClaims(tenant, token, { acceptClientTokens: true });
    } catch (err) {
      if (err instanceof InvalidTokenError) return INACTIVE;
      throw err;
    }
    const roles = Array.isArray(c.roles) ? c.roles.filter((r): r is string => typeof r === 'string') : [];
    return {
      active: true,
      token_type: 'access_token',
      sub: c.sub as string,
      tid: c.tid as string,
      ...(typeof c.sid === 'string' ? { sid: c.sid } : {}),
      jti: c.jti as string,
      iss: c.iss as string,
      aud: c.aud as string | string[],
      exp: c.exp as number,
      iat: c.iat as number,
      ...(typeof c.nbf === 'number' ? { nbf: c.nbf } : {}),
      roles,
      ...(typeof c.client_id === 'string' ? { client_id: c.client_id } : {}),
      ...(typeof c.scope === 'string' ? { scope: c.scope } : {}),
    };
  }

  private async refreshToken(tenant: TenantRef, token: string): Promise<IntrospectionResponse> {
    const [row] = await this.runner.inTenant((uow) =>
      uow.query<{ user_id: string; session_id: string; exp: number; iat: number }[]>(
        `SELECT s.user_id, s.id AS session_id, extract(epoch FROM least(rt.expires_at, s.absolute_expires_at))::bigint AS exp,
                extract(epoch FROM rt.created_at)::bigint AS iat
           FROM refresh_tokens rt JOIN auth_sessions s ON s.id = rt.session_id JOIN users u ON u.id = s.user_id
          WHERE rt.token_hash = $1 AND rt.status = 'active' AND rt.expires_at > now()
            AND s.status = 'active' AND s.idle_expires_at > now() AND s.absolute_expires_at > now() AND u.status = 'active'`,
        [sha256(token)],
      ),
    );
    if (!row) return INACTIVE;
    const iss = issuerFor(this.config.CREDENCE_BASE_URL, tenant.slug);
    return { active: true, token_type: 'refresh_token', sub: row.user_id, tid: tenant.id, sid: row.session_id, iss, exp: Number(row.exp), iat: Number(row.iat) };
  }
}
