import { v7 as uuidv7 } from 'uuid';
import { CredenceCloudEvent, EventCatalogue, EventType } from '@credence/contracts';

export interface EventOrigin {
  source: string;
  actor: string;
  traceparent?: string;
}

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
      ...(origin.traceparent ? { traceparent: origin.traceparent } : {}),
    },
  };
}
