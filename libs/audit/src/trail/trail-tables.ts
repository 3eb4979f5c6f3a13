import type { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';

/**
 * Which trail ingest, reads and retention work on, by its table names. A tenant's trail is
 * `audit_*` in the tenant's schema (reached through search_path, in a unit of work on the ambient
 * tenant); the platform's is `platform.platform_audit_*` (platform API keys, tenant lifecycle), in
 * a platform unit of work. The names differ because search_path falls through to `platform`.
 * They are SQL identifiers written into statements, never user input.
 */
export interface TrailTables {
  readonly scope: 'tenant' | 'platform';
  readonly log: string;
  readonly chain: string;
  readonly checkpoints: string;
}

export const TENANT_TRAIL: TrailTables = Object.freeze({ scope: 'tenant', log: 'audit_log', chain: 'audit_chain', checkpoints: 'audit_checkpoints' });

export const PLATFORM_TRAIL: TrailTables = Object.freeze({
  scope: 'platform',
  log: 'platform.platform_audit_log',
  chain: 'platform.platform_audit_chain',
  checkpoints: 'platform.platform_audit_checkpoints',
});

/** A unit of work in which the trail's tables resolve: the ambient tenant's (fails closed without one), or the platform's. */
export function inTrail<T>(runner: TenantTransactionRunner, trail: TrailTables, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
  return trail.scope === 'platform' ? runner.inPlatform(work) : runner.inTenant(work);
}

/**
 * Checks that a query about a tenant's trail targets the ambient tenant (queries carry tenantId in
 * their type). A platform query carries the platform's id and needs no tenant in context.
 */
export function assertTrailContext(runner: TenantTransactionRunner, trail: TrailTables, tenantId: string): void {
  if (trail.scope === 'tenant') runner.assertAmbientTenant(tenantId);
}
