import type { CredenceCloudEvent } from '@credence/contracts';
import { isExternalType } from '../external/external-source';
import { ActorType, AuditRecord, Outcome, Severity } from './audit-record';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRACEPARENT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
const TRACE_ID = /^[0-9a-f]{32}$/;

/** The event's `traceid` (the request's x-trace-id), else the trace id of its traceparent (events published before traceid existed). */
function traceIdOf(event: CredenceCloudEvent): string | null {
  if (typeof event.traceid === 'string' && TRACE_ID.test(event.traceid)) return event.traceid;
  const trace = typeof event.traceparent === 'string' ? TRACEPARENT.exec(event.traceparent) : null;
  return trace ? trace[1] : null;
}

/** Types that are not plain successes; everything else is `success` / `info`. */
const CLASSES: Record<string, { outcome: Outcome; severity: Severity }> = {
  'auth.login.failed': { outcome: 'failure', severity: 'medium' },
  'authz.access.denied': { outcome: 'denied', severity: 'medium' },
  'auth.account.locked': { outcome: 'failure', severity: 'high' },
  'auth.token.reuse_detected': { outcome: 'denied', severity: 'high' },
  'security.violation.detected': { outcome: 'failure', severity: 'critical' },
  'tenant.provisioning_failed': { outcome: 'failure', severity: 'medium' },
};

const ACTOR_PREFIXES: Record<string, ActorType> = { user: 'user', service: 'service', 'platform-admin': 'platform_admin', system: 'system' };
const SIGN_IN_TYPES = new Set(['auth.login.succeeded', 'auth.login.failed', 'auth.session.created', 'auth.token.issued', 'auth.token.refreshed', 'auth.otp.requested']);
const IDENTITY_KEYS = ['email', 'username', 'phone', 'display_name'] as const;

export class UnauditableEvent extends Error {}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.length ? v.slice(0, 2000) : null;
}

/** `user:<id>` → user, `platform-admin:<key>` → platform_admin, `system[:<job>]` → system, anything else → system with the raw value. */
export function parseActor(actor: string | undefined): { type: ActorType; id: string | null } {
  if (!actor) return { type: 'system', id: null };
  const colon = actor.indexOf(':');
  const prefix = colon < 0 ? actor : actor.slice(0, colon);
  const type = ACTOR_PREFIXES[prefix];
  if (!type) return { type: 'system', id: actor.slice(0, 200) };
  return { type, id: colon < 0 ? null : actor.slice(colon + 1, colon + 201) || null };
}

/** The account an event concerns: `data.user_id`, else a `user/<id>` subject. */
function userOf(data: Record<string, unknown>, subject: string): string | null {
  if (typeof data.user_id === 'string' && UUID.test(data.user_id)) return data.user_id.toLowerCase();
  const m = /^user\/(.+)$/.exec(subject);
  return m && UUID.test(m[1]) ? m[1].toLowerCase() : null;
}

/** Turns a delivered event into an audit record: who, what, outcome, severity, and personal fields split from the payload. */
export function classifyEvent(event: CredenceCloudEvent): AuditRecord {
  if (!event || typeof event.id !== 'string' || !UUID.test(event.id)) throw new UnauditableEvent('event has no UUID id');
  if (typeof event.type !== 'string' || !event.type) throw new UnauditableEvent(`event ${event.id} has no type`);
  // external.* is where services' own reports live (POST /audit/events); nothing on the transport may pose as one.
  if (isExternalType(event.type)) throw new UnauditableEvent(`event ${event.id} has a type reserved for services' reports`);
  const time = new Date(event.time);
  if (Number.isNaN(time.getTime())) throw new UnauditableEvent(`event ${event.id} has no valid time`);
  const data: Record<string, unknown> = event.data && typeof event.data === 'object' ? { ...event.data } : {};
  const subject = typeof event.subject === 'string' ? event.subject.slice(0, 500) : '';

  const ip = text(data.ip);
  const userAgent = text(data.user_agent);
  const location = text(data.location);
  delete data.ip;
  delete data.user_agent;
  delete data.location;
  let identity: Record<string, string> | null = null;
  for (const key of IDENTITY_KEYS) {
    const v = text(data[key]);
    delete data[key];
    if (v) (identity ??= {})[key] = v;
  }
  const userId = userOf(data, subject);
  let actor = parseActor(event.actor);
  // Sign-in events are emitted before anyone is authenticated (actor `system`); the person acting is the account concerned.
  if (actor.type === 'system' && !actor.id && userId && SIGN_IN_TYPES.has(event.type)) actor = { type: 'user', id: userId };
  const cls = CLASSES[event.type] ?? { outcome: 'success', severity: 'info' };
  return {
    event_id: event.id.toLowerCase(),
    type: event.type.slice(0, 200),
    occurred_at: time.toISOString(),
    source: typeof event.source === 'string' ? event.source.slice(0, 200) : 'unknown',
    actor_type: actor.type,
    actor_id: actor.id,
    subject,
    user_id: userId,
    outcome: cls.outcome,
    severity: cls.severity,
    trace_id: traceIdOf(event),
    payload: data,
    ip,
    user_agent: userAgent,
    location,
    identity,
  };
}
