/** What an authorization code stands for: everything the token endpoint needs, and what it must check. */
export interface AuthorizationGrant {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string[];
  nonce?: string;
  userId: string;
  method: 'local' | 'otp' | 'saml' | 'oidc' | 'ldap';
  browserSessionId: string;
  /** Epoch seconds of the sign-in that the browser session holds. */
  authTime: number;
  amr: string[];
  idp?: string;
}
