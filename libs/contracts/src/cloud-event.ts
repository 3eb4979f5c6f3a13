/**
 * CloudEvents 1.0 envelope as Credence publishes it.
 * This lib imports nothing from Nest so any consumer can depend on it.
 */
export interface CredenceCloudEvent<TData = Record<string, unknown>> {
  /** UUIDv7: unique, time-ordered; consumers deduplicate by it. */
  id: string;
  specversion: '1.0';
  /** e.g. `credence/auth` */
  source: string;
  /** `<domain>.<entity>.<verb>`, e.g. `tenant.onboarded` */
  type: string;
  /** RFC 3339 timestamp */
  time: string;
  /** The aggregate the event is about, e.g. `tenant/acme`. */
  subject: string;
  datacontenttype: 'application/json';
  /** Version of the payload schema for this type. */
  dataschemaversion: number;
  data: TData;
  /** Extension: tenant id, or `platform` for platform-level events without a tenant. */
  tenantid: string;
  /** Extension: who caused it, e.g. `platform-admin:<key id>`, `user:<id>`, `system`. */
  actor: string;
  /** Extension: W3C trace context of the request that caused it, when there was one. */
  traceparent?: string;
  /**
   * Extension: the trace id of the request (its `x-trace-id` answer header) or job that caused it,
   * 32 lowercase hex digits. Present whether or not the request sent a traceparent.
   */
  traceid?: string;
}

export const PLATFORM_TENANT_ID = 'platform';
