import type { FastifyReply } from 'fastify';

/**
 * Headers of every HTML page the OpenID Provider serves. No script at all (the pages are plain
 * forms), styles and images only from Credence itself (images also over https, for a tenant's logo),
 * never framed (clickjacking), never cached (they carry CSRF tokens), and no referrer beyond the origin.
 * `formTargets` are the origins a form on the page may end up at after redirects (the app's
 * redirect_uri, an IdP): Chromium checks form-action on every redirect of a form submission.
 */
export function sendHtml(reply: FastifyReply, status: number, body: string, formTargets: readonly string[] = []): FastifyReply {
  return reply.status(status).headers(htmlHeaders(formTargets)).send(body);
}

/** The headers sendHtml sets, for a page sent some other way (the hosted page's hook for errors Fastify answers itself). */
export function htmlHeaders(formTargets: readonly string[] = []): Record<string, string> {
  const formAction = ["'self'", ...new Set(formTargets)].join(' ');
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; style-src 'self'; img-src 'self' https:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'; script-src 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    pragma: 'no-cache',
  };
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
