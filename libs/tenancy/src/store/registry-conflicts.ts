import { DomainError } from '@credence/errors';

/** Maps a unique violation of the registry's tables to the conflict it means; other errors pass through. */
export function registryConflict(err: unknown): unknown {
  const e = err as { code?: string; constraint?: string; detail?: string };
  if (e?.code !== '23505') return err;
  if (e.constraint === 'tenant_domains_pkey') {
    const domain = /\(domain\)=\(([^)]+)\)/.exec(e.detail ?? '')?.[1];
    return new DomainError('tenant.domain_taken', undefined, domain ? [{ field: 'domains', issue: `${domain} is taken` }] : undefined);
  }
  if (e.constraint === 'tenants_slug_key') return new DomainError('tenant.exists');
  return err;
}
