import type { ErrorDetail } from '@credence/errors';

export type ApplicationType = 'public' | 'confidential';

export const MAX_REDIRECT_URIS = 10;
export const MAX_REDIRECT_URI_LENGTH = 2000;

/** Hosts that name this machine: http is allowed for them outside production (RFC 8252 §7.3, local development). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** RFC 8252 §7.1: a native app's private-use scheme is a reverse domain name (com.example.app), so it has a dot. */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/;

/** Visible ASCII only: the URL parser would silently drop tabs and newlines, and IRIs have several spellings. */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

export interface RedirectUriRules {
  type: ApplicationType;
  production: boolean;
}

/**
 * Why `uri` cannot be registered as a redirect URI, or null when it can. Redirect URIs are compared
 * as exact strings at the authorization endpoint (RFC 9700 §4.1.1), so they are registered in the
 * one form the WHATWG URL parser gives them; anything it would rewrite is refused with that form.
 */
export function redirectUriProblem(uri: string, rules: RedirectUriRules): string | null {
  if (uri.length > MAX_REDIRECT_URI_LENGTH) return `must be at most ${MAX_REDIRECT_URI_LENGTH} characters`;
  if (!VISIBLE_ASCII.test(uri)) return 'must be ASCII without spaces or control characters (percent-encode, and write hosts in punycode)';
  if (uri.includes('#')) return 'must not contain a fragment (#)';
  if (uri.includes('*')) return 'must not contain a wildcard (*): redirect URIs are matched exactly';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URI';
  }
  if (url.href !== uri) return `must be written in normal form: ${url.href}`;
  if (url.username || url.password) return 'must not contain a user name or password';
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'https') return url.hostname ? null : 'must name a host';
  if (scheme === 'http') {
    if (!LOOPBACK_HOSTS.has(url.hostname)) return 'must use https (http is allowed only for 127.0.0.1, [::1] and localhost)';
    return rules.production ? 'must use https in production (http on loopback is for development only)' : null;
  }
  if (PRIVATE_USE_SCHEME.test(scheme)) {
    return rules.type === 'public' ? null : 'private-use schemes are for native (public) applications only; use https';
  }
  return 'must use https, http on a loopback host, or (public applications) a private-use scheme such as com.example.app:/callback';
}

/** The problems of a list of redirect URIs, as validation details on `field[i]`; duplicates included. */
export function redirectUriDetails(field: string, uris: readonly string[], rules: RedirectUriRules): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  uris.forEach((uri, i) => {
    const problem = redirectUriProblem(uri, rules);
    if (problem) details.push({ field: `${field}[${i}]`, issue: `${field}[${i}] ${problem}` });
    else if (seen.has(uri)) details.push({ field: `${field}[${i}]`, issue: `${field}[${i}] is listed twice` });
    seen.add(uri);
  });
  return details;
}
