import { newSecretToken, sha256 } from '@credence/crypto';

/** Refresh tokens: 256 random bits behind a recognisable prefix; only the SHA-256 is stored. */
export function newRefreshToken(): { token: string; hash: Buffer } {
  const token = newSecretToken('crt_');
  return { token, hash: sha256(token) };
}

export const REFRESH_TOKEN_PATTERN = /^crt_[A-Za-z0-9_-]{43}$/;
