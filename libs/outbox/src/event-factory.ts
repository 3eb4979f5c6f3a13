import { v7 as uuidv7 } from 'uuid';
import { CredenceCloudEvent, EventCatalogue, EventType } from '@credence/contracts';

export interface EventOrigin {
  source: string;
  actor: string;
  traceparent?: string;
  /** The trace id of the unit of work (the request's x-trace-id), with or without a traceparent. */
  traceId?: string;
}

const TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

export interface PendingEvent {
  aggregate: string;
  envelope: CredenceCloudEvent;
}

export const EVENT_SCHEMA_VERSION: Record<EventType, number> = {
  'tenant.onboarded': 1,
  'tenant.provisioning_failed': 1,
  'tenant.updated': 1,
  'tenant.suspended': 1,
  'tenant.resumed': 1,
  'tenant.offboarding_started': 1,
  'tenant.deleted': 1,
  'platform.api_key.created': 1,
  'platform.api_key.revoked': 1,
  'auth.signing_key.rotated': 1,
  'auth.login.succeeded': 1,
  'auth.login.failed': 1,
  'auth.session.created': 1,
  'auth.session.revoked': 1,
  'auth.token.issued': 1,
  'auth.token.refreshed': 1,
  'auth.token.revoked': 1,
  'auth.token.reuse_detected': 1,
  'auth.otp.requested': 1,
  'service_credential.created': 1,
  'service_credential.revoked': 1,
  'auth.account.locked': 1,
  'security.violation.detected': 1,
  'user.created': 1,
  'user.updated': 1,
  'user.disabled': 1,
  'user.enabled': 1,
  'user.deleted': 1,
  'user.role.assigned': 1,
  'user.role.removed': 1,
  'role.created': 1,
  'role.updated': 1,
  'role.deleted': 1,
  'authz.access.denied': 1,
  'audit.log.accessed': 1,
  'retention.run.completed': 1,
  'user.erased': 1,
};

export function makeEvent<T extends EventType>(
  type: T,
  tenantId: string,
  aggregate: string,
  data: EventCatalogue[T],
  origin: EventOrigin,
): PendingEvent {
  return {
    aggregate,
    envelope: {
      id: uuidv7(),
      specversion: '1.0',
      source: origin.source,
      type,
      time: new Date().toISOString(),
      subject: aggregate,
      datacontenttype: 'application/json',
      dataschemaversion: EVENT_SCHEMA_VERSION[type],
      data: data as unknown as Record<string, unknown>,
      tenantid: tenantId,
      actor: origin.actor,
      // A malformed header is not passed on: consumers could not use it, and the contract refuses it.
      ...(origin.traceparent && TRACEPARENT.test(origin.traceparent) ? { traceparent: origin.traceparent } : {}),
      ...(origin.traceId && TRACE_ID.test(origin.traceId) ? { traceid: origin.traceId } : {}),
    },
  };
}
