import { Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { TenantStore } from '@credence/tenancy';
import type { PageFrame } from './layout';

const CACHE_MS = 10_000;

/** What the hosted pages show of the tenant: its display name and, from its settings, logo and accent colour. */
export type BrandingFrame = Omit<PageFrame, 'title'> & {
  /** `#rrggbb` from login_primary_color, when the tenant set one. */
  brandColor?: string;
};

/** The branding of the tenant in context. Cached briefly: a changed setting shows within ten seconds. */
@Injectable()
export class TenantBranding {
  private readonly seen = new Map<string, { frame: BrandingFrame; at: number }>();

  constructor(
    private readonly tenants: TenantStore,
    private readonly context: RequestContext,
  ) {}

  async frame(): Promise<BrandingFrame> {
    const tenant = this.context.requireTenant();
    const cached = this.seen.get(tenant.id);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.frame;
    const record = await this.tenants.findById(tenant.id);
    const settings = record?.settings ?? {};
    const frame: BrandingFrame = {
      tenantSlug: tenant.slug,
      tenantName: record?.name ?? tenant.slug,
      // Settings are validated when written (https URL, #rrggbb); '' means none.
      ...(settings.login_logo_url ? { logoUrl: settings.login_logo_url } : {}),
      ...(settings.login_primary_color ? { brandColor: settings.login_primary_color } : {}),
    };
    if (this.seen.size > 10_000) this.seen.clear();
    this.seen.set(tenant.id, { frame, at: Date.now() });
    return frame;
  }
}
