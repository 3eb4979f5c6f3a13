import { verify } from 'node:crypto';
import type { AccessTokenClaimsView } from '@credence/contracts';
import { JwksCache, JwksUnavailable } from './jwks-cache';
import { RevocationCheck } from './revocation-check';
import { TokenRejected } from './token-rejected';
import { VerifiedSignatures } from './verified-signatures';

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const SLUG = /^[a-z][a-z0-9-]{1,62}$/;

export interface ExpectedTenant {
  /** The tenant's slug: names its JWKS and its issuer `{base}/v1/t/{slug}`. */
  slug: string;
  /** The tenant's id, when the service knows it: the token's `tid` must equal it. */
  id?: string;
}

export interface VerifierOptions {
  baseUrl: string;
  jwks: JwksCache;
  revocation: RevocationCheck;
  /** Accepted audience; default: the tenant's issuer (what Credence puts in `aud` by default). */
  audience?: string;
  clockSkewSeconds?: number;
}

/**
 * Verifies a Credence access token locally: ES256 only (the header cannot choose another alg), typ
 * at+jwt, key from the tenant's JWKS by kid, iss = {base}/v1/t/{slug}, aud, exp/nbf with skew, tid,
 * then revocation. Fails closed (`unavailable`) when the JWKS or the revocation state cannot be read.
 * A token whose signature it verified before, with the same key object, is not verified again
 * (VerifiedSignatures); everything after the signature is checked on every use.
 */
export class AccessTokenVerifier {
  private readonly verified = new VerifiedSignatures();

  constructor(private readonly o: VerifierOptions) {}

  async verify(token: string, tenant: ExpectedTenant): Promise<AccessTokenClaimsView> {
    if (!SLUG.test(tenant.slug) || token.length > 8192 || !COMPACT.test(token)) throw new TokenRejected('malformed', 'not a compact JWS');
    const [h, p, s] = token.split('.');
    let header: { alg?: unknown; typ?: unknown; kid?: unknown; crit?: unknown };
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    } catch {
      throw new TokenRejected('malformed', 'header or payload is not JSON');
    }
    if (header.alg !== 'ES256' || header.crit !== undefined) throw new TokenRejected('malformed', 'only ES256 tokens are accepted');
    // Access tokens only: an ID token is signed with the same key and issuer (RFC 9068 §4).
    if (header.typ !== 'at+jwt') throw new TokenRejected('malformed', 'not an access token (typ at+jwt)');
    if (typeof header.kid !== 'string') throw new TokenRejected('unknown_key', 'token has no kid');
    let key;
    try {
      key = await this.o.jwks.key(tenant.slug, header.kid);
    } catch (err) {
      if (err instanceof JwksUnavailable) throw new TokenRejected('unavailable', `the tenant's keys cannot be fetched: ${err.message}`);
      throw err;
    }
    if (!key) throw new TokenRejected('unknown_key', 'no key of this tenant has that kid');
    if (!this.verified.holds(token, key)) {
      const signature = Buffer.from(s, 'base64url');
      if (signature.length !== 64 || !verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, signature)) {
        throw new TokenRejected('bad_signature', 'signature does not verify');
      }
      this.verified.remember(token, key);
    }
    this.checkClaims(claims, tenant);
    const c = claims as unknown as AccessTokenClaimsView;
    let revoked: boolean;
    try {
      revoked = await this.o.revocation.isRevoked(c.jti, c.sid);
    } catch (err) {
      throw new TokenRejected('unavailable', `revocation state cannot be read: ${(err as Error).message}`);
    }
    if (revoked) throw new TokenRejected('revoked', 'token or session revoked');
    return c;
  }

  private checkClaims(c: Record<string, unknown>, tenant: ExpectedTenant): void {
    const iss = `${this.o.baseUrl}/v1/t/${tenant.slug}`;
    if (c.iss !== iss) throw new TokenRejected('wrong_issuer', 'issued for another tenant or by another Credence');
    const audience = this.o.audience ?? iss;
    const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
    if (!aud.includes(audience)) throw new TokenRejected('wrong_audience', 'not meant for this audience');
    if (typeof c.tid !== 'string' || (tenant.id !== undefined && c.tid !== tenant.id)) throw new TokenRejected('wrong_tenant', 'tid is not this tenant');
    for (const claim of ['sub', 'sid', 'jti']) if (typeof c[claim] !== 'string') throw new TokenRejected('malformed', `${claim} missing`);
    const now = Math.floor(Date.now() / 1000);
    const skew = this.o.clockSkewSeconds ?? 30;
    if (typeof c.exp !== 'number' || c.exp <= now - skew) throw new TokenRejected('expired', 'token expired');
    if (c.nbf !== undefined && (typeof c.nbf !== 'number' || c.nbf > now + skew)) throw new TokenRejected('not_yet_valid', 'token not valid yet');
  }
}
