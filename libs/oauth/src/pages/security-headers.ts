import type { FastifyReply } from 'fastify';

/**
 * Headers of every HTML page the OpenID Provider serves. No script at all (the pages are plain
 * forms), styles and images only from Credence itself (images also over https, for a tenant's logo),
 * never framed (clickjacking), never cached (they carry CSRF tokens), and no referrer beyond the origin.
 * `formTargets` are the origins a form on the page may end up at after redirects (the app's
 * redirect_uri, an IdP): Chromium checks form-action on every redirect of a form submission.
 */
export function sendHtml(reply: FastifyReply, status: number, body: string, formTargets: readonly string[] = []): FastifyReply {
  const formAction = ["'self'", ...new Set(formTargets)].join(' ');
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header(
      'content-security-policy',
      `default-src 'none'; style-src 'self'; img-src 'self' https:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'; script-src 'none'`,
    )
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .send(body);
}

/** The origin of a URL, for form-action; undefined for a scheme browsers do not check (custom app schemes). */
export function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}
