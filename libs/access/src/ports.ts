import type { TenantRef } from '@credence/context';
import type { ServicePrincipal, UserPrincipal } from './principals';

/**
 * Ports: what the access lib needs from the feature that owns tenant users and service credentials
 * (libs/identity binds them in IdentityAccessModule). A process without that feature has none bound:
 * its routes then refuse users and services (401) and still accept platform admins.
 */

/** Verifies a tenant user's bearer access token for one tenant only; throws a coded 401 when it does not verify. */
export interface UserTokenVerifier {
  verify(tenant: TenantRef, token: string): Promise<UserPrincipal>;
}
export const USER_TOKEN_VERIFIER = Symbol('USER_TOKEN_VERIFIER');

/** Authenticates a service credential of the ambient tenant (Basic header or client_id/client_secret in the body). */
export interface ServiceCredentialVerifier {
  authenticate(request: { authorization?: string; body?: unknown; ip: string | null }): Promise<ServicePrincipal>;
}
export const SERVICE_CREDENTIAL_VERIFIER = Symbol('SERVICE_CREDENTIAL_VERIFIER');

/** What a permission is asked about: the record's owner (looked up) or, failing that, attributes given. */
export interface TargetInput {
  userId?: string;
  attributes?: Record<string, unknown>;
}

export interface PermissionQuery {
  resource: string;
  action: string;
  target?: TargetInput;
  /** Allow any scope of the permission; the handler narrows what it returns by the decision's scopes. */
  narrowable?: boolean;
}

/** The part of an access decision routes read (identity's AccessDecision carries more). */
export interface AuthorizationDecision {
  allowed: boolean;
  reason: string;
  permission: string | null;
  detail: string;
  /** Scopes the caller holds for this resource.action (handlers narrow lists by them). */
  scopes: string[];
  subject: { userId: string; attributes: Record<string, unknown> } | null;
}

export type TenantCaller = { user: UserPrincipal } | { service: ServicePrincipal };

/** The permission engine, on the ambient tenant. */
export interface PermissionAuthorizer {
  /** Decides from what is stored now (never from a token's claims). */
  decide(caller: TenantCaller, query: PermissionQuery): Promise<AuthorizationDecision>;
  /** Records authz.access.denied and throws 403 authz.access.denied. */
  deny(caller: TenantCaller, query: PermissionQuery, reason: string, detail?: string): Promise<never>;
}
export const PERMISSION_AUTHORIZER = Symbol('PERMISSION_AUTHORIZER');
