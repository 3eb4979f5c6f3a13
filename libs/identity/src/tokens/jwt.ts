import { KeyObject, sign, verify } from 'node:crypto';
import type { AccessTokenClaimsView } from '@credence/contracts';

export interface JwtHeader {
  alg: string;
  typ?: string;
  kid?: string;
  [extra: string]: unknown;
}

/** The claims Credence puts in an access token: the published shape (contracts), plus nbf. */
export interface AccessTokenClaims extends AccessTokenClaimsView {
  nbf?: number;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs a compact JWS with ES256 (P-256, SHA-256, raw r||s signature as JOSE wants). */
export function signEs256(header: JwtHeader, claims: object, privateKey: KeyObject): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

export interface DecodedJwt {
  header: JwtHeader;
  claims: Record<string, unknown>;
  /** `header.payload` and the signature as they appear in the token: turned into bytes only when verified. */
  signingInput: string;
  signature: string;
}

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Splits and parses a compact JWS without trusting anything in it yet. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  if (token.length > 8192 || !COMPACT.test(token)) return undefined;
  const [h, p, s] = token.split('.');
  try {
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    if (!header || typeof header !== 'object' || Array.isArray(header)) return undefined;
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return undefined;
    return { header, claims, signingInput: `${h}.${p}`, signature: s };
  } catch {
    return undefined;
  }
}

export function verifyEs256(decoded: DecodedJwt, publicKey: KeyObject): boolean {
  // A P-256 signature in JOSE form is exactly 64 bytes; anything else is not ours.
  const signature = Buffer.from(decoded.signature, 'base64url');
  if (signature.length !== 64) return false;
  return verify('sha256', Buffer.from(decoded.signingInput), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
}
