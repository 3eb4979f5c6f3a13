/**
 * Request/response patterns Credence answers on the event transport, for services that prefer it
 * to HTTP. Plain types: no Nest here, so any consumer can depend on them.
 */
export const IDENTITY_RPC = {
  tokenValidate: 'identity.token.validate',
  accessCheck: 'identity.access.check',
} as const;

export interface TokenValidateRequest {
  /** The access token (compact JWS), without "Bearer ". */
  token: string;
  /** Tenant slug the caller expects the token to belong to; a token of another tenant is invalid. */
  tenant: string;
  /** Audience the caller expects; defaults to the tenant's issuer. */
  audience?: string;
}

/** Why a token is not valid. `not_supported` means this Credence cannot validate tokens yet. */
export type TokenInvalidReason =
  'malformed' | 'bad_signature' | 'unknown_key' | 'wrong_issuer' | 'wrong_audience' | 'wrong_tenant' | 'expired' | 'not_yet_valid' | 'revoked' | 'not_supported';

export interface AccessTokenClaimsView {
  iss: string;
  aud: string | string[];
  sub: string;
  tid: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  roles: string[];
  [claim: string]: unknown;
}

export type TokenValidateResponse = { valid: true; claims: AccessTokenClaimsView } | { valid: false; reason: TokenInvalidReason; message: string };

export interface AccessCheckRequest {
  tenant: string;
  user_id: string;
  /** e.g. `session` */
  resource: string;
  /** e.g. `revoke` */
  action: string;
  /** Attributes the conditions may read, e.g. `{ "owner_id": "...", "department": "sales" }`. */
  context?: Record<string, unknown>;
}

export interface AccessCheckResponse {
  allowed: boolean;
  /** Why, e.g. `granted by role manager: session.revoke:any`, or `not_supported: ...`. */
  reason: string;
}
