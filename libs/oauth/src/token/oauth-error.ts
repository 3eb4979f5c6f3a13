import { DomainError } from '@credence/errors';

/** RFC 6749 §5.2 error codes, RFC 6750 §3.1 for the userinfo endpoint, and temporarily_unavailable. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'temporarily_unavailable'
  | 'server_error';

/** An error of the OAuth JSON endpoints, answered as `{error, error_description}` (never the Credence envelope). */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

export const invalidRequest = (description: string) => new OAuthError('invalid_request', description);
export const invalidGrant = (description = 'The grant is invalid, expired, revoked, or was issued to another client.') => new OAuthError('invalid_grant', description);

/** RFC 6749 §5.2: 401, with the challenge of the scheme the client tried (always Basic: it is the one we offer). */
export const invalidClient = (description = 'Client authentication failed.') =>
  new OAuthError('invalid_client', description, 401, { 'WWW-Authenticate': 'Basic realm="credence"' });

const GRANT_ERRORS = new Set(['auth.token.invalid', 'auth.token.expired', 'auth.token.reuse_detected', 'auth.session.revoked', 'auth.account.disabled']);

/**
 * What the OAuth endpoints answer for an error from anywhere below them: Credence's DomainErrors
 * (from the tenant guard, identity, Redis or Postgres being away) and Fastify's body refusals.
 * Only an error of ours that is a 5xx becomes server_error; the filter logs it.
 */
export function toOAuthError(err: DomainError): OAuthError {
  const retryAfter = err.headers?.['Retry-After'];
  if (GRANT_ERRORS.has(err.code)) return invalidGrant();
  switch (err.code) {
    case 'service.unavailable':
      return new OAuthError('temporarily_unavailable', 'A backing service is unavailable; retry shortly.', 503, retryAfter ? { 'Retry-After': retryAfter } : {});
    case 'auth.rate_limited':
      // RFC 6749 has no rate-limit code; invalid_client with 429 and Retry-After tells a client both what and when.
      return new OAuthError('invalid_client', 'Too many failed client authentications; retry later.', 429, retryAfter ? { 'Retry-After': retryAfter } : {});
    case 'tenant.not_found':
      return invalidRequest('No such tenant.');
    case 'tenant.suspended':
      return new OAuthError('invalid_client', 'The tenant is suspended.', 401);
    case 'request.unsupported_media_type':
      return new OAuthError('invalid_request', 'The body must be application/x-www-form-urlencoded.', 400);
    case 'request.too_large':
      return new OAuthError('invalid_request', 'The request is too large.', 413);
    case 'request.malformed':
    case 'validation.failed':
      return invalidRequest('The request is malformed.');
    default:
      return err.status >= 500 ? new OAuthError('server_error', 'The server could not answer.', 500) : invalidRequest(err.message);
  }
}
