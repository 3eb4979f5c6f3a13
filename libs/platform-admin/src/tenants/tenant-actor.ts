import { ActorRef } from '@credence/actors';
import { PLATFORM_TENANT_ID } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { UnitOfWork } from '@credence/tenancy';
import { TENANT_SELECT, TenantRow } from './dto/tenant.response';

/** A tenant's lifecycle is one actor, keyed by its slug (which never changes and is never reused). */
export function tenantActor(slug: string): ActorRef {
  return { kind: 'tenant', tenantId: PLATFORM_TENANT_ID, id: slug };
}

export async function loadTenant(uow: UnitOfWork, slug: string): Promise<TenantRow> {
  const [row] = await uow.query<TenantRow[]>(`${TENANT_SELECT} WHERE t.slug = $1`, [slug]);
  if (!row || row.status === 'provisioning') throw new DomainError('tenant.not_found');
  return row;
}

/** Maps unique violations of the registry to the conflicts they mean. */
export function conflictFrom(err: unknown): DomainError | undefined {
  const e = err as { code?: string; constraint?: string; detail?: string };
  if (e?.code !== '23505') return undefined;
  if (e.constraint === 'tenant_domains_pkey') {
    const domain = /\(domain\)=\(([^)]+)\)/.exec(e.detail ?? '')?.[1];
    return new DomainError('tenant.domain_taken', undefined, domain ? [{ field: 'domains', issue: `${domain} is taken` }] : undefined);
  }
  if (e.constraint === 'tenants_slug_key') return new DomainError('tenant.exists');
  return undefined;
}

export async function insertDomains(uow: UnitOfWork, tenantId: string, domains: string[]): Promise<void> {
  if (!domains.length) return;
  await uow.query(`INSERT INTO platform.tenant_domains (domain, tenant_id) SELECT unnest($1::text[]), $2`, [domains, tenantId]);
}
