/**
 * A sign-in in progress: an authorization request the OpenID Provider has accepted and is waiting to
 * answer with a code, once the user has signed in (hosted page or IdP). Kept in Redis for ten minutes.
 */
export interface Interaction {
  id: string;
  tenantId: string;
  clientId: string;
  /** Exactly as registered and as sent; the code is bound to it. */
  redirectUri: string;
  /** Granted scope values (openid, profile, email, offline_access). */
  scope: string[];
  state?: string;
  nonce?: string;
  /** PKCE S256 challenge (RFC 7636). */
  codeChallenge: string;
  prompt?: 'login' | 'none';
  /** Seconds (OIDC Core §3.1.2.1); auth_time is then always in the ID token. */
  maxAge?: number;
  loginHint?: string;
  /** The connection the app asked for (`connection` or `domain_hint`), when any. */
  connection?: string;
  /** SHA-256 (hex) of the browser's binding cookie: only that browser may complete it. */
  binding: string;
  /** Random token the hosted page's forms carry (CSRF). */
  csrf: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

export type NewInteraction = Omit<Interaction, 'id' | 'csrf' | 'createdAt' | 'tenantId'>;

/** What a finished sign-in proved, as every way of signing in reports it to CompleteInteraction. */
export interface AuthenticatedUser {
  userId: string;
  /** How: local (password), otp, or a federated connection's type. */
  method: 'local' | 'otp' | 'saml' | 'oidc' | 'ldap';
  /** The connection's id, when an IdP vouched for the user. */
  idp?: string;
}

/** RFC 8176 authentication method references for the ID token's amr. */
export function amrFor(method: AuthenticatedUser['method']): string[] {
  if (method === 'local') return ['pwd'];
  if (method === 'otp') return ['otp'];
  return ['fed'];
}
