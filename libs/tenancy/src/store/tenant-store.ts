import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TenantSettings } from '../tenant-settings';
import type { TenantStatus } from '../tenant-status';
import type { Sql, TenantRecord, TenantSummary, TenantWithSettings } from './tenant-record';

const RECORD_SELECT = `
  SELECT t.id, t.slug, t.name, t.status, t.settings, t.db_version, t.created_at, t.updated_at, t.suspended_at, t.purge_after, t.deleted_at,
         coalesce((SELECT array_agg(d.domain ORDER BY d.domain COLLATE "C") FROM platform.tenant_domains d WHERE d.tenant_id = t.id), '{}') AS domains
    FROM platform.tenants t`;

/** Settings whose per-tenant values a platform-wide statement may need all at once (numbers only). */
export type NumericSettingKey = {
  [K in keyof TenantSettings]-?: NonNullable<TenantSettings[K]> extends number ? K : never;
}[keyof TenantSettings];

/**
 * Reads of the tenant registry (platform.tenants, platform.tenant_domains) for every lib: tenancy
 * owns these tables, and no other lib queries them. A method that takes `sql` runs in the caller's
 * transaction when given its UnitOfWork, and as an autocommit read on the pool otherwise.
 */
@Injectable()
export class TenantStore {
  constructor(private readonly dataSource: DataSource) {}

  async findBySlug(slug: string, sql: Sql = this.dataSource): Promise<TenantRecord | undefined> {
    const [row] = await sql.query<TenantRecord[]>(`${RECORD_SELECT} WHERE t.slug = $1`, [slug]);
    return row;
  }

  async findById(id: string, sql: Sql = this.dataSource): Promise<TenantRecord | undefined> {
    const [row] = await sql.query<TenantRecord[]>(`${RECORD_SELECT} WHERE t.id = $1`, [id]);
    return row;
  }

  /** Keyset page on the UUIDv7 id (creation order); without a status, tenants still provisioning are left out. */
  list(page: { after?: string; status?: TenantStatus; limit: number }, sql: Sql = this.dataSource): Promise<TenantRecord[]> {
    return sql.query<TenantRecord[]>(
      `${RECORD_SELECT}
        WHERE ($1::uuid IS NULL OR t.id > $1)
          AND (CASE WHEN $2::text IS NULL THEN t.status <> 'provisioning' ELSE t.status = $2 END)
        ORDER BY t.id LIMIT $3`,
      [page.after ?? null, page.status ?? null, page.limit],
    );
  }

  /** A tenant's schema, status and stored settings (no defaults filled in). */
  async withSettings(id: string, sql: Sql = this.dataSource): Promise<TenantWithSettings | undefined> {
    const [row] = await sql.query<TenantWithSettings[]>(`SELECT id, slug, schema_name, status, settings FROM platform.tenants WHERE id = $1`, [id]);
    return row;
  }

  /** Every tenant in one of `statuses`, in id order. */
  listByStatus(statuses: readonly TenantStatus[], sql: Sql = this.dataSource): Promise<TenantSummary[]> {
    return sql.query<TenantSummary[]>(`SELECT id, slug, schema_name, status, db_version FROM platform.tenants WHERE status = ANY($1) ORDER BY id`, [statuses]);
  }

  /** Ids of tenants in one of `statuses` after `after`, in id order, optionally only among `only`. */
  async idsPage(page: { statuses: readonly TenantStatus[]; after: string; only?: string[]; limit: number }, sql: Sql = this.dataSource): Promise<string[]> {
    const rows = await sql.query<{ id: string }[]>(
      `SELECT id FROM platform.tenants WHERE status = ANY($1) AND id > $2 AND ($3::uuid[] IS NULL OR id = ANY($3::uuid[])) ORDER BY id LIMIT $4`,
      [page.statuses, page.after, page.only ?? null, page.limit],
    );
    return rows.map((r) => r.id);
  }

  /** id → slug for the ids that name a tenant, whatever its status (deleted ones keep their slug). */
  async slugsOf(ids: readonly string[], sql: Sql = this.dataSource): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await sql.query<{ id: string; slug: string }[]>(`SELECT id::text AS id, slug FROM platform.tenants WHERE id::text = ANY($1::text[])`, [ids]);
    return new Map(rows.map((r) => [r.id, r.slug]));
  }

  /** The tenants that set `key` themselves, with their values: what a platform-wide statement needs to apply each tenant's own. */
  async settingOverrides(key: NumericSettingKey, sql: Sql = this.dataSource): Promise<{ tenantIds: string[]; values: number[] }> {
    const rows = await sql.query<{ id: string; value: number }[]>(`SELECT id::text AS id, (settings->>$1)::int AS value FROM platform.tenants WHERE settings ? $1`, [key]);
    return { tenantIds: rows.map((r) => r.id), values: rows.map((r) => r.value) };
  }

  /** Tenants left in `provisioning` for at least `seconds` (a process died while provisioning them). */
  staleProvisioning(seconds: number, sql: Sql = this.dataSource): Promise<{ id: string; slug: string; schema_name: string }[]> {
    return sql.query(
      `SELECT id, slug, schema_name FROM platform.tenants
        WHERE status = 'provisioning' AND updated_at <= now() - make_interval(secs => $1) ORDER BY id`,
      [seconds],
    );
  }

  /** Offboarding tenants and when their data is due to be dropped. */
  pendingPurges(sql: Sql = this.dataSource): Promise<{ id: string; slug: string; purge_after: Date }[]> {
    return sql.query(`SELECT id, slug, purge_after FROM platform.tenants WHERE status = 'offboarding' AND purge_after IS NOT NULL`);
  }
}
