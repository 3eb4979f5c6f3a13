/** Payloads of the events emitted today. docs/events.md describes each. */
export interface TenantOnboardedData {
  tenant_id: string;
  slug: string;
  name: string;
  domains: string[];
  admin_user_id: string;
  /** True when provisioning was finished by crash recovery rather than the original request. */
  recovered: boolean;
}

export interface TenantProvisioningFailedData {
  tenant_id: string;
  slug: string;
  reason: string;
}

export interface TenantChangeData {
  tenant_id: string;
  slug: string;
}

export interface TenantUpdatedData extends TenantChangeData {
  changed: string[];
}

export interface TenantOffboardingData extends TenantChangeData {
  purge_after: string;
}

export interface ApiKeyData {
  api_key_id: string;
  name: string;
  scopes: string[];
  expires_at: string | null;
}

export interface SigningKeyRotatedData {
  tenant_id: string;
  kid: string;
  previous: string[];
}

/** Where a sign-in came from; personal data kept to what audit and security detection need. */
export interface ClientData {
  ip: string | null;
  user_agent: string | null;
  device_type: string | null;
  location: string | null;
}

export type AuthMethod = 'local' | 'otp' | 'saml' | 'oidc' | 'ldap';

export interface LoginSucceededData extends ClientData {
  user_id: string;
  /** The API session; for a sign-in through the hosted page or an IdP, the browser session. */
  session_id: string;
  auth_method: AuthMethod;
  /** Set when the sign-in answered an application's authorization request (the OpenID Provider). */
  client_id?: string;
  /** The connection, when an IdP vouched for the user. */
  idp?: string;
}

export interface LoginFailedData extends ClientData {
  /** Null when no account matched what was typed; the identifier itself is never sent. */
  user_id: string | null;
  auth_method: AuthMethod;
  reason: 'invalid_credentials' | 'account_locked' | 'account_disabled' | 'rate_limited' | 'otp_invalid' | 'otp_expired';
}

export interface SessionCreatedData extends ClientData {
  session_id: string;
  user_id: string;
  auth_method: AuthMethod;
  idle_expires_at: string;
  absolute_expires_at: string;
}

export interface SessionRevokedData {
  session_id: string;
  user_id: string;
  reason: string;
}

export interface TokenIssuedData {
  session_id: string;
  user_id: string;
  jti: string;
  expires_at: string;
}

export interface TokenRevokedData {
  session_id: string;
  user_id: string;
  jti: string | null;
  reason: string;
}

export interface TokenReuseDetectedData {
  session_id: string;
  user_id: string;
}

export interface AccountLockedData {
  user_id: string;
  locked_until: string;
  failures: number;
}

export interface SecurityViolationData {
  rule: string;
  severity: 'medium' | 'high' | 'critical';
  user_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export interface OtpRequestedData {
  user_id: string;
  channel: 'email' | 'sms';
  expires_at: string;
}

export interface ServiceCredentialData {
  service_credential_id: string;
  client_id: string;
  name: string;
}

/** A SCIM directory: never its token or the token's hash. */
export interface ScimDirectoryData {
  directory_id: string;
  name: string;
}

/** An application (OAuth client) as events describe it: never its secret or the secret's hash. */
export interface ApplicationData {
  application_id: string;
  client_id: string;
  name: string;
  type: 'public' | 'confidential';
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  /** Connection ids the app may use; null means every connection of the tenant. */
  connections: string[] | null;
  /** OIDC Core §4 login initiation endpoint; null: none. Absent in events written before it existed. */
  initiate_login_uri?: string | null;
}

export interface ApplicationRef {
  application_id: string;
  client_id: string;
}

/** A connection (an IdP: SAML, OIDC or LDAP) as events describe it: never a secret. */
export interface ConnectionData {
  connection_id: string;
  type: 'saml' | 'oidc' | 'ldap';
  name: string;
  enabled: boolean;
  domains: string[];
}

/** Why a federated sign-in was refused (federation contract, "Users from an IdP"). */
export type FederationFailureReason =
  | 'signature_invalid'
  | 'signature_missing'
  | 'digest_algorithm_refused'
  | 'destination_mismatch'
  | 'recipient_mismatch'
  | 'issuer_mismatch'
  | 'audience_mismatch'
  | 'expired'
  | 'not_yet_valid'
  | 'in_response_to_unknown'
  | 'replayed'
  | 'idp_initiated_refused'
  | 'malformed'
  | 'too_large'
  | 'subject_missing'
  | 'connection_disabled'
  | 'state_mismatch'
  | 'nonce_mismatch'
  | 'id_token_invalid'
  | 'user_disabled'
  | 'jit_disabled'
  | 'account_exists'
  | 'ldap_unavailable'
  | 'idp_error'
  | 'idp_unavailable'
  | 'subject_mismatch';

export interface FederationLoginData extends ClientData {
  connection_id: string;
  connection_type: 'saml' | 'oidc' | 'ldap';
  /** The Credence user, once known (null when the refusal came before the subject was trusted). */
  user_id: string | null;
}

export interface UserData {
  user_id: string;
  /** Null only in a copy of the event erased since (replay, outbox). */
  email: string | null;
  username: string | null;
  status: 'invited' | 'active' | 'disabled';
}

export interface UserUpdatedData {
  user_id: string;
  changed: string[];
}

/** A new invitation for an invited user; the token itself is never in an event. */
export interface UserInvitedData {
  user_id: string;
  expires_at: string;
}

export interface UserRoleData {
  user_id: string;
  role_id: string;
  role: string;
}

export interface RoleData {
  role_id: string;
  name: string;
  permissions: string[];
}

export interface AccessDeniedData {
  user_id: string | null;
  resource: string;
  action: string;
  reason: string;
}

/** Who read the audit trail, how, and whether they saw personal fields. */
export interface AuditAccessedData {
  action: 'query' | 'export' | 'report' | 'verify' | 'incidents';
  personal_fields: boolean;
  filters: Record<string, string>;
}

/** What one retention run did for one tenant (or for the platform, `tenantid` = `platform`). */
export interface RetentionRunCompletedData {
  run_id: string;
  counts: Record<string, number>;
  duration_ms: number;
}

export interface UserErasedData {
  user_id: string;
  sessions: number;
  audit_rows: number;
}

/** A webhook subscription as events describe it: never its secret. */
export interface WebhookData {
  webhook_id: string;
  url: string;
  event_types: string[];
  enabled: boolean;
}

export interface WebhookDisabledData {
  webhook_id: string;
  url: string;
  reason: string;
  failing_since: string;
}

/** One batch a directory source sent (POST /sync/users) and what processing it did. */
export interface SyncRunData {
  sync_id: string;
  source: string;
  mode: 'full' | 'incremental';
}

export interface SyncRunCompletedData extends SyncRunData {
  counts: Record<string, number>;
  duration_ms: number;
}

export interface SyncRunFailedData extends SyncRunData {
  /** An error code of docs/errors.md, e.g. sync.disable_share_exceeded. */
  error: string;
}

/** A field changed both in the source and in Credence since the last sync. No values: they may be personal. */
export interface SyncConflictData {
  conflict_id: string;
  source: string;
  external_id: string;
  user_id: string;
  field: string;
}

export interface EventCatalogue {
  'tenant.onboarded': TenantOnboardedData;
  'tenant.provisioning_failed': TenantProvisioningFailedData;
  'tenant.updated': TenantUpdatedData;
  'tenant.suspended': TenantChangeData;
  'tenant.resumed': TenantChangeData;
  'tenant.offboarding_started': TenantOffboardingData;
  'tenant.deleted': TenantChangeData;
  'platform.api_key.created': ApiKeyData;
  'platform.api_key.revoked': ApiKeyData;
  'auth.signing_key.rotated': SigningKeyRotatedData;
  'auth.login.succeeded': LoginSucceededData;
  'auth.login.failed': LoginFailedData;
  'auth.session.created': SessionCreatedData;
  'auth.session.revoked': SessionRevokedData;
  'auth.token.issued': TokenIssuedData;
  'auth.token.refreshed': TokenIssuedData;
  'auth.token.revoked': TokenRevokedData;
  'auth.token.reuse_detected': TokenReuseDetectedData;
  'auth.otp.requested': OtpRequestedData;
  'service_credential.created': ServiceCredentialData;
  'service_credential.revoked': ServiceCredentialData;
  'scim.directory.created': ScimDirectoryData;
  'scim.directory.token_rotated': ScimDirectoryData;
  'scim.directory.deleted': ScimDirectoryData;
  'application.created': ApplicationData;
  'application.updated': ApplicationData & { changed: string[] };
  'application.deleted': ApplicationRef & { name: string };
  'application.secret_rotated': ApplicationRef;
  'federation.connection.created': ConnectionData;
  'federation.connection.updated': ConnectionData & { changed: string[] };
  'federation.connection.deleted': ConnectionData;
  'federation.connection.certificate_expiring': { connection_id: string; not_after: string; fingerprint: string };
  'federation.login.succeeded': FederationLoginData & { user_id: string; jit_created: boolean };
  'federation.login.failed': FederationLoginData & { reason: FederationFailureReason };
  'user.identity_linked': { user_id: string; connection_id: string; connection_type: 'saml' | 'oidc' | 'ldap'; jit_created: boolean };
  'auth.account.locked': AccountLockedData;
  'security.violation.detected': SecurityViolationData;
  'user.created': UserData;
  'user.updated': UserUpdatedData;
  'user.invited': UserInvitedData;
  'user.disabled': UserData;
  'user.enabled': UserData;
  'user.deleted': { user_id: string };
  'user.role.assigned': UserRoleData;
  'user.role.removed': UserRoleData;
  'role.created': RoleData;
  'role.updated': RoleData & { changed: string[] };
  'role.deleted': { role_id: string; name: string };
  'authz.access.denied': AccessDeniedData;
  'audit.log.accessed': AuditAccessedData;
  'retention.run.completed': RetentionRunCompletedData;
  'user.erased': UserErasedData;
  'webhook.created': WebhookData;
  'webhook.updated': WebhookData & { changed: string[] };
  'webhook.deleted': WebhookData;
  'webhook.secret_rotated': { webhook_id: string; previous_expires_at: string };
  'webhook.disabled': WebhookDisabledData;
  'sync.run.started': SyncRunData;
  'sync.run.completed': SyncRunCompletedData;
  'sync.run.failed': SyncRunFailedData;
  'sync.conflict.detected': SyncConflictData;
  'sync.conflict.resolved': SyncConflictData & { resolution: 'source' | 'credence' | 'merged' };
}

export type EventType = keyof EventCatalogue;
