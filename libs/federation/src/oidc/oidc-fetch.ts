import type * as client from 'openid-client';
import { OutboundFailure, OutboundFetch } from '../outbound/outbound-fetch';

/** Discovery documents, JWKS, token and userinfo responses are small; anything larger is hostile. */
export const OIDC_RESPONSE_MAX_BYTES = 256 * 1024;

const bodyText = (body: unknown): string | undefined => {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8');
  throw new OutboundFailure('a streamed request body is not supported');
};

/**
 * openid-client's customFetch over the SSRF guard: every request to the IdP (discovery, JWKS, token,
 * userinfo) is vetted, bounded in size and given one deadline; redirects are refusals.
 */
export function outboundCustomFetch(outbound: OutboundFetch, timeoutMs: number): client.CustomFetch {
  return async (url, options) => {
    const headers: Record<string, string> = {};
    new Headers(options.headers as HeadersInit).forEach((value, name) => (headers[name] = value));
    const method = options.method === 'POST' ? 'POST' : 'GET';
    const res = await outbound.request(url, { method, headers, body: bodyText(options.body), maxBytes: OIDC_RESPONSE_MAX_BYTES, timeoutMs });
    if (res.status < 200 || res.status > 599) throw new OutboundFailure(`the IdP answered HTTP ${res.status}`);
    const answer = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      try {
        answer.set(name, value);
      } catch {
        // A header value fetch's Headers refuses is not one openid-client reads.
      }
    }
    const empty = res.status === 204 || res.status === 304 || !res.body.length;
    return new Response(empty ? null : new Uint8Array(res.body), { status: res.status, headers: answer });
  };
}
