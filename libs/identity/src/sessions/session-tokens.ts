import { newSecretToken, sha256 } from '@credence/crypto';

/**
 * Refresh tokens: `crt_`, the session's id (32 hex digits, no dashes), `.`, then 256 random bits
 * (43 base64url characters). Only the SHA-256 of the whole token is stored, so the session id cannot
 * be altered without the token becoming unknown; it is there so that a refresh reaches its session
 * without a lookup first. Tokens issued before it was added (`crt_` and the 43 characters alone)
 * are still accepted, found by their hash (RefreshSession), until they rotate into the new form.
 */
export function newRefreshToken(sessionId: string): { token: string; hash: Buffer } {
  const token = newSecretToken(`crt_${sessionId.replace(/-/g, '')}.`);
  return { token, hash: sha256(token) };
}

export const REFRESH_TOKEN_PATTERN = /^crt_(?:[0-9a-f]{32}\.)?[A-Za-z0-9_-]{43}$/;

const WITH_SESSION = /^crt_([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})\./;

/** The session id a refresh token carries; undefined for a token of the earlier form (or not a refresh token). */
export function sessionIdOf(token: string): string | undefined {
  const m = WITH_SESSION.exec(token);
  return m ? m.slice(1).join('-') : undefined;
}
