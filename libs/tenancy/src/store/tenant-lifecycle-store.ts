import { Injectable } from '@nestjs/common';
import { DomainError } from '@credence/errors';
import type { UnitOfWork } from '../unit-of-work';
import { registryConflict } from './registry-conflicts';
import type { ProvisioningRecord, TenantClaim } from './tenant-record';

/**
 * Writes to the tenant registry (platform.tenants, platform.tenant_domains), each a named step of
 * a tenant's lifecycle. Every method runs in the caller's unit of work, which holds the tenant's
 * actor lock; settings are written by TenantSettingsWriter, which also checks them.
 */
@Injectable()
export class TenantLifecycleStore {
  /** Onboarding's first commit: the row in `provisioning` with its domains. tenant.exists / tenant.domain_taken when taken. */
  async claim(uow: UnitOfWork, c: TenantClaim): Promise<void> {
    const taken = await uow.query<unknown[]>('SELECT 1 FROM platform.tenants WHERE slug = $1', [c.slug]);
    if (taken.length) throw new DomainError('tenant.exists');
    try {
      await uow.query(
        `INSERT INTO platform.tenants (id, slug, name, schema_name, status, settings, pending_admin)
         VALUES ($1, $2, $3, $4, 'provisioning', $5, $6)`,
        [c.id, c.slug, c.name, c.schema, JSON.stringify(c.settings), JSON.stringify(c.pendingAdmin)],
      );
    } catch (err) {
      throw registryConflict(err);
    }
    await this.insertDomains(uow, c.id, c.domains);
  }

  /** The row being provisioned, locked for the provisioning transaction; undefined when there is none. */
  async lockProvisioning(uow: UnitOfWork, slug: string): Promise<ProvisioningRecord | undefined> {
    const [row] = await uow.query<ProvisioningRecord[]>(
      `SELECT t.id, t.slug, t.name, t.schema_name, t.status, t.pending_admin,
              coalesce((SELECT array_agg(domain ORDER BY domain COLLATE "C") FROM platform.tenant_domains WHERE tenant_id = t.id), '{}') AS domains
         FROM platform.tenants t WHERE t.slug = $1 FOR UPDATE`,
      [slug],
    );
    return row;
  }

  /** Provisioning done: `active` at `dbVersion`, the pending admin forgotten. */
  async activate(uow: UnitOfWork, id: string, dbVersion: number): Promise<void> {
    await uow.query(`UPDATE platform.tenants SET status = 'active', db_version = $2, pending_admin = NULL, updated_at = now() WHERE id = $1`, [id, dbVersion]);
  }

  /** Removes a tenant that is still provisioning; resolves to its schema name, or undefined when it was not (any more). */
  async removeProvisioning(uow: UnitOfWork, id: string): Promise<string | undefined> {
    const [row] = await uow.query<{ schema_name: string }[]>(`DELETE FROM platform.tenants WHERE id = $1 AND status = 'provisioning' RETURNING schema_name`, [id]);
    return row?.schema_name;
  }

  async setDbVersion(uow: UnitOfWork, id: string, version: number): Promise<void> {
    await uow.query('UPDATE platform.tenants SET db_version = $2, updated_at = now() WHERE id = $1', [id, version]);
  }

  async rename(uow: UnitOfWork, id: string, name: string): Promise<void> {
    await uow.query('UPDATE platform.tenants SET name = $2 WHERE id = $1', [id, name]);
  }

  /** The tenant's domains become exactly `domains`; tenant.domain_taken when another tenant has one. */
  async replaceDomains(uow: UnitOfWork, id: string, domains: string[]): Promise<void> {
    await uow.query('DELETE FROM platform.tenant_domains WHERE tenant_id = $1', [id]);
    await this.insertDomains(uow, id, domains);
  }

  async touch(uow: UnitOfWork, id: string): Promise<void> {
    await uow.query('UPDATE platform.tenants SET updated_at = now() WHERE id = $1', [id]);
  }

  async suspend(uow: UnitOfWork, id: string): Promise<void> {
    await uow.query(`UPDATE platform.tenants SET status = 'suspended', suspended_at = now(), updated_at = now() WHERE id = $1`, [id]);
  }

  /** Back to `active`, from a suspension or an offboarding still in its grace period. */
  async resume(uow: UnitOfWork, id: string): Promise<void> {
    await uow.query(`UPDATE platform.tenants SET status = 'active', suspended_at = NULL, purge_after = NULL, updated_at = now() WHERE id = $1`, [id]);
  }

  /** `offboarding`, to be purged `graceSeconds` from now; resolves to that time. */
  async startOffboarding(uow: UnitOfWork, id: string, graceSeconds: number): Promise<Date> {
    const [{ purge_after }] = await uow.query<{ purge_after: Date }[]>(
      `UPDATE platform.tenants SET status = 'offboarding', purge_after = now() + make_interval(secs => $2), updated_at = now()
        WHERE id = $1 RETURNING purge_after`,
      [id, graceSeconds],
    );
    return purge_after;
  }

  /** The row a purge decides on, locked until the purge commits. */
  async lockForPurge(uow: UnitOfWork, id: string): Promise<{ status: string; schema_name: string; purge_after: Date | null } | undefined> {
    const [row] = await uow.query<{ status: string; schema_name: string; purge_after: Date | null }[]>(
      'SELECT status, schema_name, purge_after FROM platform.tenants WHERE id = $1 FOR UPDATE',
      [id],
    );
    return row;
  }

  /** After the schema is dropped: the domains are freed, the slug stays reserved by a `deleted` row without settings. */
  async markDeleted(uow: UnitOfWork, id: string): Promise<void> {
    await uow.query('DELETE FROM platform.tenant_domains WHERE tenant_id = $1', [id]);
    await uow.query(`UPDATE platform.tenants SET status = 'deleted', deleted_at = now(), settings = '{}'::jsonb, updated_at = now() WHERE id = $1`, [id]);
  }

  private async insertDomains(uow: UnitOfWork, id: string, domains: string[]): Promise<void> {
    if (!domains.length) return;
    try {
      await uow.query(`INSERT INTO platform.tenant_domains (domain, tenant_id) SELECT unnest($1::text[]), $2`, [domains, id]);
    } catch (err) {
      throw registryConflict(err);
    }
  }
}
