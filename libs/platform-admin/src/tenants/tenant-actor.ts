import { ActorRef } from '@credence/actors';
import { PLATFORM_TENANT_ID } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantRecord, TenantStore, UnitOfWork } from '@credence/tenancy';

/** A tenant's lifecycle is one actor, keyed by its slug (which never changes and is never reused). */
export function tenantActor(slug: string): ActorRef {
  return { kind: 'tenant', tenantId: PLATFORM_TENANT_ID, id: slug };
}

/** The tenant as the admin API shows it, read in the actor's transaction; tenant.not_found while it is still provisioning. */
export async function loadTenant(tenants: TenantStore, uow: UnitOfWork, slug: string): Promise<TenantRecord> {
  const row = await tenants.findBySlug(slug, uow);
  if (!row || row.status === 'provisioning') throw new DomainError('tenant.not_found');
  return row;
}
