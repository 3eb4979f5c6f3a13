import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TENANT_STATUSES, TenantSettings, TenantStatus } from '@credence/tenancy';

export class TenantResponse {
  @ApiProperty() id: string;
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: TENANT_STATUSES }) status: TenantStatus;
  @ApiProperty({ type: [String] }) domains: string[];
  @ApiProperty({ type: Object }) settings: TenantSettings;
  @ApiProperty({ description: 'Number of tenant migrations applied to its schema.' }) db_version: number;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
  @ApiProperty({ nullable: true, type: String }) suspended_at: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When an offboarding tenant\'s data will be dropped.' }) purge_after: string | null;
  @ApiProperty({ nullable: true, type: String }) deleted_at: string | null;
}

export class FirstAdminResponse {
  @ApiProperty() user_id: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: ['active', 'invited'] }) status: 'active' | 'invited';
  @ApiPropertyOptional({ description: 'One-time invite token, returned once when no password was given.' }) invite_token?: string;
}

export class OnboardedTenantResponse extends TenantResponse {
  @ApiProperty({ type: FirstAdminResponse }) admin: FirstAdminResponse;
}

export interface TenantRow {
  id: string;
  slug: string;
  name: string;
  status: TenantStatus;
  settings: TenantSettings;
  db_version: number;
  domains: string[];
  created_at: Date;
  updated_at: Date;
  suspended_at: Date | null;
  purge_after: Date | null;
  deleted_at: Date | null;
}

export const TENANT_SELECT = `
  SELECT t.id, t.slug, t.name, t.status, t.settings, t.db_version, t.created_at, t.updated_at, t.suspended_at, t.purge_after, t.deleted_at,
         coalesce((SELECT array_agg(d.domain ORDER BY d.domain COLLATE "C") FROM platform.tenant_domains d WHERE d.tenant_id = t.id), '{}') AS domains
    FROM platform.tenants t`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toTenantResponse(r: TenantRow): TenantResponse {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    status: r.status,
    domains: r.domains,
    settings: r.settings,
    db_version: r.db_version,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
    suspended_at: iso(r.suspended_at),
    purge_after: iso(r.purge_after),
    deleted_at: iso(r.deleted_at),
  };
}
