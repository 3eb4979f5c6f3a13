/** The kinds of caller a route can accept (`@Authenticate(...)`). */
export type CallerKind = 'user' | 'service' | 'platform_admin';

/** A tenant's signed-in user, behind a verified access token. */
export interface UserPrincipal {
  userId: string;
  tenantId: string;
  sessionId: string;
  jti: string;
  roles: string[];
  /** Seconds since epoch when the presented token expires. */
  expiresAt: number;
}

/** A service authenticated by a service credential of the route's tenant. */
export interface ServicePrincipal {
  credentialId: string;
  clientId: string;
  /** Granted to the credential directly; only `:any` grants apply, a service owns no records. */
  permissions: string[];
}

/** A platform admin: the platform API key that authenticated the request. */
export interface AuthenticatedAdminKey {
  id: string;
  scopes: string[];
  expiresAt: Date | null;
}

/** Where the global guard leaves the caller: exactly one of the three is set on an authenticated route. */
export interface AuthenticatedRequest {
  params: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  body?: unknown;
  ip?: string;
  principal?: UserPrincipal;
  servicePrincipal?: ServicePrincipal;
  platformAdminKey?: AuthenticatedAdminKey;
}
