import { parse, serialize } from 'cookie';

/** Ties interactions to the browser that started them: one random value per browser and tenant. */
export const BINDING_COOKIE = 'credence_binding';
/** The tenant's browser session (single sign-on between the tenant's apps). */
export const SESSION_COOKIE = 'credence_session';

type Headers = Record<string, string | string[] | undefined>;

/** The cookie's value, or undefined. A value longer than any Credence sets is not ours. */
export function readCookie(headers: Headers, name: string): string | undefined {
  const raw = headers.cookie;
  if (typeof raw !== 'string' || raw.length > 8192) return undefined;
  const value = parse(raw)[name];
  return value && value.length <= 128 ? value : undefined;
}

export interface CookieScope {
  tenantSlug: string;
  /** Secure everywhere but development (browsers accept Secure cookies from http://localhost too). */
  secure: boolean;
}

/**
 * A Set-Cookie value scoped to one tenant's routes (the path ends with a slash, so `/v1/t/acme/`
 * never matches `/v1/t/acme2/`), HttpOnly, SameSite=Lax: sent on the top-level navigation that brings
 * the browser back from an app or an IdP, never on another site's sub-requests.
 */
export function setCookie(scope: CookieScope, name: string, value: string, maxAgeSeconds: number): string {
  return serialize(name, value, { path: `/v1/t/${scope.tenantSlug}/`, httpOnly: true, secure: scope.secure, sameSite: 'lax', maxAge: maxAgeSeconds });
}

export function clearCookie(scope: CookieScope, name: string): string {
  return setCookie(scope, name, '', 0);
}
