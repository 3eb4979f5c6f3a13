/** The scope values this provider grants to applications (OpenID Connect Core §5.4, §11). */
export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;
export type Scope = (typeof SUPPORTED_SCOPES)[number];

/** A granted scope, however it is held (array in a code, space-separated string in a session or token). */
export function scopeSet(scope: readonly string[] | string | null | undefined): Set<string> {
  if (!scope) return new Set();
  return new Set(typeof scope === 'string' ? scope.split(' ').filter(Boolean) : scope);
}
