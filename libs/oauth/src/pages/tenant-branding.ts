import { Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { TenantStore } from '@credence/tenancy';
import type { PageFrame } from './layout';

const CACHE_MS = 10_000;

/** What the hosted pages show of the tenant in context: its display name (and, from its settings, logo). Cached briefly. */
@Injectable()
export class TenantBranding {
  private readonly seen = new Map<string, { frame: Omit<PageFrame, 'title'>; at: number }>();

  constructor(
    private readonly tenants: TenantStore,
    private readonly context: RequestContext,
  ) {}

  async frame(): Promise<Omit<PageFrame, 'title'>> {
    const tenant = this.context.requireTenant();
    const cached = this.seen.get(tenant.id);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.frame;
    const record = await this.tenants.findById(tenant.id);
    const frame = { tenantSlug: tenant.slug, tenantName: record?.name ?? tenant.slug };
    if (this.seen.size > 10_000) this.seen.clear();
    this.seen.set(tenant.id, { frame, at: Date.now() });
    return frame;
  }
}
