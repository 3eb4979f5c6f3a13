import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TENANT_STATUSES, TenantRecord, TenantSettings, TenantStatus } from '@credence/tenancy';

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
  @ApiProperty({ nullable: true, type: String, description: "When an offboarding tenant's data will be dropped." }) purge_after: string | null;
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

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toTenantResponse(r: TenantRecord): TenantResponse {
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
