import { z } from 'zod';
import type { CredenceCloudEvent } from './cloud-event';
import type { EventCatalogue, EventType } from './event-types';

/**
 * Runtime schemas of every event payload: strict (an unknown field fails), so an emitter that adds
 * a field without updating the contract is caught by the contract test (test/events/contracts).
 * Consumers may use them to validate what they receive. Keep in step with event-types.ts (the
 * compiler checks each schema against its interface) and docs/events.md (a spec checks the fields).
 */
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
const time = z.iso.datetime({ offset: true });
const text = z.string().max(2000);
const nullableText = text.nullable();
const authMethod = z.enum(['local', 'otp', 'saml', 'oidc', 'ldap']);
const client = { ip: nullableText, user_agent: nullableText, device_type: nullableText, location: nullableText };
const tenantChange = { tenant_id: uuid, slug: z.string() };
const apiKey = z.strictObject({ api_key_id: uuid, name: text, scopes: z.array(z.string()), expires_at: time.nullable() });
const tokenIssued = z.strictObject({ session_id: uuid, user_id: uuid, jti: z.string(), expires_at: time });
// email is null only in a copy erased since (event store, outbox): see PERSONAL_PAYLOAD_FIELDS.
const user = z.strictObject({ user_id: uuid, email: z.string().nullable(), username: nullableText, status: z.enum(['invited', 'active', 'disabled']) });
const userRole = z.strictObject({ user_id: uuid, role_id: uuid, role: z.string() });
const role = { role_id: uuid, name: z.string(), permissions: z.array(z.string()) };
const scimDirectory = z.strictObject({ directory_id: uuid, name: text });
const serviceCredential = z.strictObject({ service_credential_id: uuid, client_id: z.string(), name: text });
const applicationRef = { application_id: uuid, client_id: z.string() };
const application = {
  ...applicationRef,
  name: text,
  type: z.enum(['public', 'confidential']),
  redirect_uris: z.array(text),
  post_logout_redirect_uris: z.array(text),
  connections: z.array(uuid).nullable(),
  initiate_login_uri: text.nullable().optional(),
};

const webhook = { webhook_id: uuid, url: text, event_types: z.array(z.string()), enabled: z.boolean() };
const syncRun = { sync_id: uuid, source: z.string(), mode: z.enum(['full', 'incremental']) };
const syncConflict = { conflict_id: uuid, source: z.string(), external_id: text, user_id: uuid, field: z.string() };

const connectionType = z.enum(['saml', 'oidc', 'ldap']);
const connection = { connection_id: uuid, type: connectionType, name: text, enabled: z.boolean(), domains: z.array(z.string()) };
const federationFailure = z.enum([
  'signature_invalid',
  'signature_missing',
  'digest_algorithm_refused',
  'destination_mismatch',
  'recipient_mismatch',
  'issuer_mismatch',
  'audience_mismatch',
  'expired',
  'not_yet_valid',
  'in_response_to_unknown',
  'replayed',
  'idp_initiated_refused',
  'malformed',
  'too_large',
  'subject_missing',
  'connection_disabled',
  'state_mismatch',
  'nonce_mismatch',
  'id_token_invalid',
  'user_disabled',
  'jit_disabled',
  'account_exists',
  'ldap_unavailable',
  'idp_error',
  'idp_unavailable',
  'subject_mismatch',
]);
const federationLogin = { ...client, connection_id: uuid, connection_type: connectionType };

type Schemas = { [T in EventType]: z.ZodType<EventCatalogue[T]> };

export const EVENT_DATA_SCHEMAS: Schemas = {
  'tenant.onboarded': z.strictObject({ ...tenantChange, name: text, domains: z.array(z.string()), admin_user_id: uuid, recovered: z.boolean() }),
  'tenant.provisioning_failed': z.strictObject({ ...tenantChange, reason: z.string().max(500) }),
  'tenant.updated': z.strictObject({ ...tenantChange, changed: z.array(z.string()) }),
  'tenant.suspended': z.strictObject(tenantChange),
  'tenant.resumed': z.strictObject(tenantChange),
  'tenant.offboarding_started': z.strictObject({ ...tenantChange, purge_after: time }),
  'tenant.deleted': z.strictObject(tenantChange),
  'platform.api_key.created': apiKey,
  'platform.api_key.revoked': apiKey,
  'auth.signing_key.rotated': z.strictObject({ tenant_id: uuid, kid: z.string(), previous: z.array(z.string()) }),
  'auth.login.succeeded': z.strictObject({ ...client, user_id: uuid, session_id: uuid, auth_method: authMethod, client_id: z.string().optional(), idp: uuid.optional() }),
  'auth.login.failed': z.strictObject({
    ...client,
    user_id: uuid.nullable(),
    auth_method: authMethod,
    reason: z.enum(['invalid_credentials', 'account_locked', 'account_disabled', 'rate_limited', 'otp_invalid', 'otp_expired']),
  }),
  'auth.session.created': z.strictObject({ ...client, session_id: uuid, user_id: uuid, auth_method: authMethod, idle_expires_at: time, absolute_expires_at: time }),
  'auth.session.revoked': z.strictObject({ session_id: uuid, user_id: uuid, reason: text }),
  'auth.token.issued': tokenIssued,
  'auth.token.refreshed': tokenIssued,
  'auth.token.revoked': z.strictObject({ session_id: uuid, user_id: uuid, jti: z.string().nullable(), reason: text }),
  'auth.token.reuse_detected': z.strictObject({ session_id: uuid, user_id: uuid }),
  'auth.otp.requested': z.strictObject({ user_id: uuid, channel: z.enum(['email', 'sms']), expires_at: time }),
  'service_credential.created': serviceCredential,
  'service_credential.revoked': serviceCredential,
  'scim.directory.created': scimDirectory,
  'scim.directory.token_rotated': scimDirectory,
  'scim.directory.deleted': scimDirectory,
  'application.created': z.strictObject(application),
  'application.updated': z.strictObject({ ...application, changed: z.array(z.string()) }),
  'application.deleted': z.strictObject({ ...applicationRef, name: text }),
  'application.secret_rotated': z.strictObject(applicationRef),
  'federation.connection.created': z.strictObject(connection),
  'federation.connection.updated': z.strictObject({ ...connection, changed: z.array(z.string()) }),
  'federation.connection.deleted': z.strictObject(connection),
  'federation.connection.certificate_expiring': z.strictObject({ connection_id: uuid, not_after: time, fingerprint: z.string() }),
  'federation.login.succeeded': z.strictObject({ ...federationLogin, user_id: uuid, jit_created: z.boolean() }),
  'federation.login.failed': z.strictObject({ ...federationLogin, user_id: uuid.nullable(), reason: federationFailure }),
  'user.identity_linked': z.strictObject({ user_id: uuid, connection_id: uuid, connection_type: connectionType, jit_created: z.boolean() }),
  'auth.account.locked': z.strictObject({ user_id: uuid, locked_until: time, failures: z.number().int() }),
  'security.violation.detected': z.strictObject({
    rule: z.string(),
    severity: z.enum(['medium', 'high', 'critical']),
    user_id: uuid.nullable(),
    ip: nullableText,
    details: z.record(z.string(), z.unknown()),
  }),
  'user.created': user,
  'user.updated': z.strictObject({ user_id: uuid, changed: z.array(z.string()) }),
  'user.invited': z.strictObject({ user_id: uuid, expires_at: time }),
  'user.disabled': user,
  'user.enabled': user,
  'user.deleted': z.strictObject({ user_id: uuid }),
  'user.role.assigned': userRole,
  'user.role.removed': userRole,
  'role.created': z.strictObject(role),
  'role.updated': z.strictObject({ ...role, changed: z.array(z.string()) }),
  'role.deleted': z.strictObject({ role_id: uuid, name: z.string() }),
  'authz.access.denied': z.strictObject({ user_id: uuid.nullable(), resource: z.string(), action: z.string(), reason: text }),
  'audit.log.accessed': z.strictObject({
    action: z.enum(['query', 'export', 'report', 'verify', 'incidents']),
    personal_fields: z.boolean(),
    filters: z.record(z.string(), z.string()),
  }),
  'retention.run.completed': z.strictObject({ run_id: z.string(), counts: z.record(z.string(), z.number().int()), duration_ms: z.number().int() }),
  'user.erased': z.strictObject({ user_id: uuid, sessions: z.number().int(), audit_rows: z.number().int() }),
  'webhook.created': z.strictObject(webhook),
  'webhook.updated': z.strictObject({ ...webhook, changed: z.array(z.string()) }),
  'webhook.deleted': z.strictObject(webhook),
  'webhook.secret_rotated': z.strictObject({ webhook_id: uuid, previous_expires_at: time }),
  'webhook.disabled': z.strictObject({ webhook_id: uuid, url: text, reason: text, failing_since: time }),
  'sync.run.started': z.strictObject(syncRun),
  'sync.run.completed': z.strictObject({ ...syncRun, counts: z.record(z.string(), z.number().int()), duration_ms: z.number().int() }),
  'sync.run.failed': z.strictObject({ ...syncRun, error: z.string() }),
  'sync.conflict.detected': z.strictObject(syncConflict),
  'sync.conflict.resolved': z.strictObject({ ...syncConflict, resolution: z.enum(['source', 'credence', 'merged']) }),
};

/** The envelope every event shares (CloudEvents 1.0 plus Credence's extensions). */
export const CLOUD_EVENT_SCHEMA = z.strictObject({
  id: uuid,
  specversion: z.literal('1.0'),
  source: z.string().regex(/^credence\/[a-z0-9-]+$/),
  type: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/),
  time,
  subject: z.string().min(3),
  datacontenttype: z.literal('application/json'),
  dataschemaversion: z.number().int().min(1),
  data: z.record(z.string(), z.unknown()),
  tenantid: z.union([uuid, z.literal('platform')]),
  actor: z.string().min(1),
  traceparent: z
    .string()
    .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)
    .optional(),
  traceid: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
});

/**
 * Top-level payload fields that hold personal data. The audit trail splits them off into its
 * personal columns, and erasure nulls them in every copy of a user's events Credence keeps
 * (trail, outbox, event store). Each is nullable in every schema that has it.
 */
export const PERSONAL_PAYLOAD_FIELDS = ['ip', 'user_agent', 'location', 'email', 'username', 'phone', 'display_name'] as const;

/** Field names that must never appear in a payload: secrets, codes and password material. */
export const FORBIDDEN_PAYLOAD_FIELD = /password|secret|hash|salt|private|otp_code|^code$|_code$|access_token|refresh_token|^token$|credential_secret/;

/** Problems of one event against its contract; empty when it conforms. */
export function contractProblems(event: CredenceCloudEvent): string[] {
  const problems: string[] = [];
  const envelope = CLOUD_EVENT_SCHEMA.safeParse(event);
  if (!envelope.success) problems.push(...envelope.error.issues.map((i) => `envelope ${i.path.join('.')}: ${i.message}`));
  const schema = (EVENT_DATA_SCHEMAS as Record<string, z.ZodType>)[event.type];
  if (!schema) return [...problems, `no schema for type ${event.type}`];
  const data = schema.safeParse(event.data);
  if (!data.success) problems.push(...data.error.issues.map((i) => `data ${i.path.join('.') || '(root)'}: ${i.message}`));
  return problems;
}

/** The top-level field names of a type's payload, for docs and checks. */
export function payloadFields(type: EventType): string[] {
  const shape = (EVENT_DATA_SCHEMAS[type] as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}
