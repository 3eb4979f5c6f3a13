import { v7 as uuidv7 } from 'uuid';
import { CredenceCloudEvent, EVENT_SCHEMA_VERSION, EventCatalogue, EventType } from '@credence/contracts';

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

export function makeEvent<T extends EventType>(type: T, tenantId: string, aggregate: string, data: EventCatalogue[T], origin: EventOrigin): PendingEvent {
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
