/** The scope values Credence grants; others are ignored (OIDC Core §3.1.2.1: unknown scope values are ignored). */
export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** An error that goes back to the app's redirect_uri (RFC 6749 §4.1.2.1). */
export class AuthorizationError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

export interface AuthorizationRequest {
  scope: string[];
  state?: string;
  nonce?: string;
  codeChallenge: string;
  prompt?: 'login' | 'none';
  maxAge?: number;
  loginHint?: string;
  connection?: string;
  domainHint?: string;
  /** An ID token naming the user the app expects (OIDC Core §3.1.2.1); verified by the controller. */
  idTokenHint?: string;
}

/** RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_VALUE = 512;

export type Query = Record<string, string | string[] | undefined>;

/** The value of a parameter sent at most once; a repeated one is refused (RFC 6749 §3.1). */
export function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new AuthorizationError('invalid_request', `${name} is repeated`);
  return value === '' ? undefined : value;
}

function bounded(query: Query, name: string, max = MAX_VALUE): string | undefined {
  const value = single(query, name);
  if (value !== undefined && value.length > max) throw new AuthorizationError('invalid_request', `${name} is too long`);
  return value;
}

/**
 * The rest of an authorization request, read once client_id and redirect_uri are trusted (so every
 * refusal here can go back to the app). Only the authorization code flow, PKCE S256 for every client.
 */
export function parseAuthorizationRequest(query: Query): AuthorizationRequest {
  if (single(query, 'request') !== undefined) throw new AuthorizationError('request_not_supported', 'request objects are not supported');
  if (single(query, 'request_uri') !== undefined) throw new AuthorizationError('request_uri_not_supported', 'request_uri is not supported');
  const responseType = single(query, 'response_type');
  if (responseType !== 'code') throw new AuthorizationError('unsupported_response_type', 'response_type must be code');
  const responseMode = single(query, 'response_mode');
  if (responseMode !== undefined && responseMode !== 'query') throw new AuthorizationError('invalid_request', 'response_mode must be query');

  const challenge = single(query, 'code_challenge');
  const method = single(query, 'code_challenge_method');
  if (!challenge) throw new AuthorizationError('invalid_request', 'code_challenge is required (PKCE, RFC 7636)');
  if (method !== 'S256') throw new AuthorizationError('invalid_request', 'code_challenge_method must be S256');
  if (!S256_CHALLENGE.test(challenge)) throw new AuthorizationError('invalid_request', 'code_challenge must be 43 base64url characters');

  const requested = (bounded(query, 'scope', 1024) ?? '').split(' ').filter(Boolean);
  const scope = SUPPORTED_SCOPES.filter((s) => requested.includes(s));

  const prompts = (bounded(query, 'prompt') ?? '').split(' ').filter(Boolean);
  if (prompts.includes('none') && prompts.length > 1) throw new AuthorizationError('invalid_request', 'prompt=none cannot be combined with other values');
  // consent and select_account need no screen here (first-party apps, one account per browser session).
  const prompt = prompts.includes('none') ? 'none' : prompts.includes('login') ? 'login' : undefined;

  const maxAgeRaw = single(query, 'max_age');
  let maxAge: number | undefined;
  if (maxAgeRaw !== undefined) {
    if (!/^\d{1,9}$/.test(maxAgeRaw)) throw new AuthorizationError('invalid_request', 'max_age must be a number of seconds');
    maxAge = Number(maxAgeRaw);
  }

  const connection = single(query, 'connection');
  if (connection !== undefined && !UUID.test(connection)) throw new AuthorizationError('invalid_request', 'connection must be a connection id');
  const domainHint = single(query, 'domain_hint')?.toLowerCase();
  if (domainHint !== undefined && !DOMAIN.test(domainHint)) throw new AuthorizationError('invalid_request', 'domain_hint must be a domain name');

  return {
    scope,
    state: bounded(query, 'state'),
    nonce: bounded(query, 'nonce'),
    codeChallenge: challenge,
    prompt,
    maxAge,
    loginHint: bounded(query, 'login_hint', 256),
    connection: connection?.toLowerCase(),
    domainHint,
    idTokenHint: bounded(query, 'id_token_hint', 8192),
  };
}
