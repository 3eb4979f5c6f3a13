import { sha256 } from '@credence/crypto';
import { newRefreshToken, REFRESH_TOKEN_PATTERN, sessionIdOf } from './session-tokens';

describe('refresh tokens', () => {
  const sessionId = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

  it('carry the session id next to 256 random bits, and only the hash of the whole token is kept', () => {
    const { token, hash } = newRefreshToken(sessionId);
    expect(token).toMatch(/^crt_0193a1b2c3d47e5f8a9b0c1d2e3f4a5b\.[A-Za-z0-9_-]{43}$/);
    expect(REFRESH_TOKEN_PATTERN.test(token)).toBe(true);
    expect(sessionIdOf(token)).toBe(sessionId);
    expect(hash).toEqual(sha256(token));
    expect(newRefreshToken(sessionId).token).not.toBe(token);
  });

  it('still recognise the earlier form, which names no session', () => {
    const earlier = `crt_${'a'.repeat(43)}`;
    expect(REFRESH_TOKEN_PATTERN.test(earlier)).toBe(true);
    expect(sessionIdOf(earlier)).toBeUndefined();
  });

  it.each([
    `crt_${'0'.repeat(32)}${'a'.repeat(43)}`,
    `crt_${'0'.repeat(31)}.${'a'.repeat(43)}`,
    `crt_${'A'.repeat(32)}.${'a'.repeat(43)}`,
    `crt_${'0'.repeat(32)}.${'a'.repeat(42)}`,
    `crt_${'a'.repeat(44)}`,
    `crt_${'0'.repeat(32)}.${'a'.repeat(43)}\n`,
  ])('refuse %j', (token) => {
    expect(REFRESH_TOKEN_PATTERN.test(token)).toBe(false);
  });
});
