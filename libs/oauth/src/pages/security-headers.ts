import type { FastifyReply } from 'fastify';

/**
 * Headers of every HTML page the OpenID Provider serves. No script at all (the pages are plain
 * forms), styles and images only from Credence itself (images also over https, for a tenant's logo),
 * never framed (clickjacking), never cached (they carry CSRF tokens), and no referrer beyond the origin.
 *
 * No `form-action`: Chromium applies it to every redirect that follows a form post, and after the
 * app's redirect_uri or an IdP's sign-in URL the chain is theirs (an app's callback that redirects to
 * its front end on another origin, an IdP that moves to its login host, another Credence in between),
 * so any list would break real sign-ins. The forms all post to the page's own origin.
 */
export function sendHtml(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.status(status).headers(htmlHeaders()).send(body);
}

/** The headers sendHtml sets, for a page sent some other way (the hosted page's hook for errors Fastify answers itself). */
export function htmlHeaders(): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; style-src 'self'; img-src 'self' https:; frame-ancestors 'none'; base-uri 'none'; script-src 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    pragma: 'no-cache',
  };
}
