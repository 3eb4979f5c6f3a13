import type { UnitOfWork } from '@credence/tenancy';
import type { ActorType, Outcome, Severity } from '../../trail/audit-record';
import type { EventPosition } from './event-cursor';
import { TENANT_TRAIL, TrailTables } from '../../trail/trail-tables';

export interface AuditFilter {
  /** RFC 3339, inclusive. */
  from?: string;
  /** RFC 3339, exclusive. */
  to?: string;
  /** Exact type, or a prefix ending in `.*`. */
  type?: string;
  actor?: string;
  subject?: string;
  userId?: string;
  outcome?: Outcome;
  severity?: Severity;
  ip?: string;
}

const ACTOR_FORMS: Record<string, ActorType> = { user: 'user', service: 'service', 'platform-admin': 'platform_admin', system: 'system' };

/** `user:<id>` (and service:, platform-admin:, system:) names type and id; anything else is an actor id. */
export function actorFilter(actor: string): { type?: ActorType; id: string } {
  const colon = actor.indexOf(':');
  const type = colon > 0 ? ACTOR_FORMS[actor.slice(0, colon)] : undefined;
  return type && colon < actor.length - 1 ? { type, id: actor.slice(colon + 1) } : { id: actor };
}

/** Collects bound parameters; each call returns its placeholder. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    return `$${this.values.push(value)}`;
  }
}

/**
 * The distinct types stored under a `prefix.*` filter. A loose index scan over audit_log_type_idx
 * (one probe per distinct type, not per row), so the list query can then use `type = ANY(...)`,
 * which the planner serves from the type index or the time index; a LIKE or range on `type` would
 * depend on the database collation.
 */
export async function typesUnder(uow: UnitOfWork, prefix: string, trail: TrailTables = TENANT_TRAIL): Promise<string[]> {
  const rows = await uow.query<{ type: string }[]>(
    `WITH RECURSIVE t AS (
       (SELECT type FROM ${trail.log} ORDER BY type LIMIT 1)
       UNION ALL
       SELECT (SELECT l.type FROM ${trail.log} l WHERE l.type > t.type ORDER BY l.type LIMIT 1) FROM t WHERE t.type IS NOT NULL
     ) SELECT type FROM t WHERE type IS NOT NULL AND starts_with(type, $1)`,
    [prefix],
  );
  return rows.map((r) => r.type);
}

/** A type filter with `.*` resolved to the stored types it covers (in that trail). */
export async function resolveTypes(uow: UnitOfWork, filter: AuditFilter, trail: TrailTables = TENANT_TRAIL): Promise<AuditFilter & { types?: string[] }> {
  if (!filter.type?.endsWith('.*')) return filter;
  return { ...filter, type: undefined, types: await typesUnder(uow, filter.type.slice(0, -1), trail) };
}

/**
 * WHERE conditions for the filters. Each filtered column leads one of the audit_log indexes, which all
 * end in (occurred_at, seq); the planner picks the most selective one (extended statistics on
 * type/outcome/severity keep it from walking one index for a combination that matches nothing).
 */
export function filterConditions(f: AuditFilter & { types?: string[] }, p: SqlParams): string[] {
  const where: string[] = [];
  if (f.from) where.push(`occurred_at >= ${p.add(f.from)}::timestamptz`);
  if (f.to) where.push(`occurred_at < ${p.add(f.to)}::timestamptz`);
  if (f.type) where.push(`type = ${p.add(f.type)}`);
  if (f.types) where.push(f.types.length ? `type = ANY(${p.add(f.types)}::text[])` : 'false');
  if (f.actor) {
    const actor = actorFilter(f.actor);
    where.push(`actor_id = ${p.add(actor.id)}`);
    if (actor.type) where.push(`actor_type = ${p.add(actor.type)}`);
  }
  if (f.subject) where.push(`subject = ${p.add(f.subject)}`);
  if (f.userId) where.push(`user_id = ${p.add(f.userId)}::uuid`);
  if (f.outcome) where.push(`outcome = ${p.add(f.outcome)}`);
  if (f.severity) where.push(`severity = ${p.add(f.severity)}`);
  if (f.ip) where.push(`ip = ${p.add(f.ip)}`);
  return where;
}

/** Rows strictly before `after` in newest-first order (row comparison: one index range). */
export function beforePosition(after: EventPosition, p: SqlParams): string {
  return `(occurred_at, seq) < (${p.add(after.at)}::timestamptz, ${p.add(after.seq)}::bigint)`;
}

/** Rows strictly after `after` in oldest-first order. */
export function afterPosition(after: EventPosition, p: SqlParams): string {
  return `(occurred_at, seq) > (${p.add(after.at)}::timestamptz, ${p.add(after.seq)}::bigint)`;
}

export const whereClause = (conditions: string[]) => (conditions.length ? `WHERE ${conditions.join(' AND ')}` : '');
