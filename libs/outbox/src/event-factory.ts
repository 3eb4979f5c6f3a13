import { v7 as uuidv7 } from 'uuid';
import { CredenceCloudEvent, EVENT_SCHEMA_VERSION, EventCatalogue, EventType } from '@credence/contracts';

export interface EventOrigin {
  source: string;
  actor: string;
  traceparent?: string;
}

export interface PendingEvent {
  aggregate: string;
  envelope: CredenceCloudEvent;
}

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
