import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TenantRef } from '@credence/context';

interface Entry {
  tenant: TenantRef | null;
  expires: number;
}

const TTL_MS = 10_000;

/** Tenant id → schema for ingest. Tenants that are gone (or never were) resolve to null: their events have no trail to join. */
@Injectable()
export class TenantDirectory {
  private readonly cache = new Map<string, Entry>();

  constructor(private readonly dataSource: DataSource) {}

  async byId(tenantId: string): Promise<TenantRef | null> {
    const hit = this.cache.get(tenantId);
    if (hit && hit.expires > Date.now()) return hit.tenant;
    const rows: { slug: string; schema_name: string; status: string }[] = /^[0-9a-f-]{36}$/i.test(tenantId)
      ? await this.dataSource.query('SELECT slug, schema_name, status FROM platform.tenants WHERE id = $1', [tenantId])
      : [];
    const row = rows[0];
    const tenant = row && row.status !== 'deleted' ? { id: tenantId, slug: row.slug, schema: row.schema_name } : null;
    if (this.cache.size > 10_000) this.cache.clear();
    // A tenant not found yet may be being provisioned: ask again next time rather than caching the miss.
    if (tenant) this.cache.set(tenantId, { tenant, expires: Date.now() + TTL_MS });
    return tenant;
  }
}
