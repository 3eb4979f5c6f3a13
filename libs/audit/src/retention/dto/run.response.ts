import { ApiProperty } from '@nestjs/swagger';

export class RetentionRunResponse {
  @ApiProperty({ example: '20250601T120000000Z-s' }) run_id: string;
  @ApiProperty({ description: 'Tenant id, or `platform`' }) tenant_id: string;
  @ApiProperty({ nullable: true, type: String, description: 'The tenant slug; null for the platform part' }) slug: string | null;
  @ApiProperty({ enum: ['running', 'completed', 'failed'] }) status: string;
  @ApiProperty() started_at: string;
  @ApiProperty({ nullable: true, type: String }) finished_at: string | null;
  @ApiProperty({ example: { sessions_anonymised: 12, sessions_deleted: 3 } }) counts: Record<string, number>;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
}

export interface RunRow {
  run_id: string;
  tenant_id: string;
  slug: string | null;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  counts: Record<string, number | string>;
  error: string | null;
}

export function toRunResponse(r: RunRow): RetentionRunResponse {
  return {
    run_id: r.run_id,
    tenant_id: r.tenant_id,
    slug: r.slug,
    status: r.status,
    started_at: r.started_at.toISOString(),
    finished_at: r.finished_at?.toISOString() ?? null,
    counts: Object.fromEntries(Object.entries(r.counts).map(([k, v]) => [k, Number(v)])),
    error: r.error,
  };
}
