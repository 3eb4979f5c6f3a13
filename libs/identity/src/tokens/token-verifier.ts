import { Inject, Injectable } from '@nestjs/common';
import type { UserPrincipal } from '@credence/access';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { VerifiedSignatures } from '@credence/consumer-kit';
import { TenantRef } from '@credence/context';
import { DomainError, ERROR_CODES } from '@credence/errors';
import { SigningKeyStore } from '../keys/signing-key-store';
import { RevocationStore } from '../revocation/revocation-store';
import { decodeJwt, verifyEs256 } from './jwt';
import { issuerFor } from './token-issuer';

export type InvalidReason =
  | 'malformed'
  | 'algorithm_not_allowed'
  | 'wrong_type'
  | 'unknown_key'
  | 'bad_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_tenant'
  | 'not_yet_valid'
  | 'expired'
  | 'missing_claims'
  | 'revoked';

const codeOf = (reason: InvalidReason) => (reason === 'expired' ? 'auth.token.expired' : reason === 'revoked' ? 'auth.session.revoked' : 'auth.token.invalid');

/**
 * Every refused token, whatever the rule, is RFC 6750 §3.1 `invalid_token`: 401 with the challenge,
 * so clients refresh or sign in again (403 means "you may not"). The body's code says expired or
 * revoked; the description is the code's generic message and never names the rule that failed.
 */
export class InvalidTokenError extends DomainError {
  constructor(readonly reason: InvalidReason) {
    const code = codeOf(reason);
    super(code, undefined, undefined, {
      'WWW-Authenticate': `Bearer realm="credence", error="invalid_token", error_description="${ERROR_CODES[code].message}"`,
    });
  }
}

/** Never a session id (those are UUIDs): the session mark looked up for a token without a session. */
const NO_SESSION = 'none';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Verifies an access token for one tenant, as a list of checks read top to bottom. Only ES256 is
 * accepted, the key comes only from this tenant's own key set by `kid` (jwk, jku, x5u and x5c in the
 * header are never used), and the tenant id in the token must be this tenant's.
 */
@Injectable()
export class TokenVerifier {
  private readonly verified = new VerifiedSignatures();

  constructor(
    private readonly keys: SigningKeyStore,
    private readonly revocations: RevocationStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A user's access token (it has a session): what every user route accepts. */
  async verify(tenant: TenantRef, token: string, options: { checkRevocation?: boolean } = {}): Promise<UserPrincipal> {
    const c = await this.verifyClaims(tenant, token, { ...options, acceptClientTokens: false });
    const roles = Array.isArray(c.roles) ? c.roles.filter((r): r is string => typeof r === 'string') : [];
    return { userId: c.sub as string, tenantId: tenant.id, sessionId: c.sid as string, jti: c.jti as string, roles, expiresAt: c.exp as number };
  }

  /**
   * The verified claims. With `acceptClientTokens`, also an application's own token (client_credentials:
   * no `sid`, `sub` = `client_id`), which only introspection takes; user routes never do.
   */
  async verifyClaims(tenant: TenantRef, token: string, options: { checkRevocation?: boolean; acceptClientTokens?: boolean } = {}): Promise<Record<string, unknown>> {
    const decoded = decodeJwt(token);
    if (!decoded) throw new InvalidTokenError('malformed');
    const { header, claims: c } = decoded;
    if (header.alg !== 'ES256') throw new InvalidTokenError('algorithm_not_allowed');
    if (header.typ !== 'at+jwt') throw new InvalidTokenError('wrong_type');
    if (typeof header.kid !== 'string') throw new InvalidTokenError('unknown_key');
    const key = await this.keys.verifyingKey(tenant, header.kid);
    if (!key) throw new InvalidTokenError('unknown_key');
    if (!this.verified.holds(token, key)) {
      if (!verifyEs256(decoded, key)) throw new InvalidTokenError('bad_signature');
      this.verified.remember(token, key);
    }

    const expectedIssuer = issuerFor(this.config.CREDENCE_BASE_URL, tenant.slug);
    if (c.iss !== expectedIssuer) throw new InvalidTokenError('wrong_issuer');
    const audiences = Array.isArray(c.aud) ? c.aud : [c.aud];
    if (!audiences.includes(expectedIssuer)) throw new InvalidTokenError('wrong_audience');
    if (c.tid !== tenant.id) throw new InvalidTokenError('wrong_tenant');
    const clientToken = options.acceptClientTokens === true && c.sid === undefined && typeof c.client_id === 'string' && c.sub === c.client_id;
    if (typeof c.sub !== 'string' || typeof c.jti !== 'string' || !UUID.test(c.jti)) throw new InvalidTokenError('missing_claims');
    if (!clientToken && (typeof c.sid !== 'string' || !UUID.test(c.sid))) throw new InvalidTokenError('missing_claims');
    if (typeof c.exp !== 'number' || typeof c.iat !== 'number') throw new InvalidTokenError('missing_claims');
    const now = Date.now() / 1000;
    const skew = this.config.TOKEN_CLOCK_SKEW_SECONDS;
    if (typeof c.nbf === 'number' && c.nbf > now + skew) throw new InvalidTokenError('not_yet_valid');
    if (c.iat > now + skew) throw new InvalidTokenError('not_yet_valid');
    if (c.exp <= now - skew) throw new InvalidTokenError('expired');
    // A client token has no session to be revoked with; only its own jti mark could exist.
    const sid = clientToken ? NO_SESSION : (c.sid as string);
    if (options.checkRevocation !== false && (await this.revocations.isRevoked(c.jti, sid))) throw new InvalidTokenError('revoked');
    return c;
  }
}
