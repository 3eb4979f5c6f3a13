import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ApiKeyRow } from '@credence/access';

export class ApiKeyResponse {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ description: 'True for the key that comes from CREDENCE_ADMIN_KEY.' }) bootstrap: boolean;
  @ApiProperty() created_by: string;
  @ApiProperty() created_at: string;
  @ApiProperty({ nullable: true, type: String }) expires_at: string | null;
  @ApiProperty({ nullable: true, type: String }) revoked_at: string | null;
  @ApiProperty({ nullable: true, type: String }) last_used_at: string | null;
}

export class CreatedApiKeyResponse extends ApiKeyResponse {
  @ApiPropertyOptional({ description: 'The secret, shown this once only.' }) secret: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toApiKeyResponse(r: ApiKeyRow): ApiKeyResponse {
  return {
    id: r.id,
    name: r.name,
    scopes: r.scopes,
    bootstrap: r.bootstrap,
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
    expires_at: iso(r.expires_at),
    revoked_at: iso(r.revoked_at),
    last_used_at: iso(r.last_used_at),
  };
}

export function apiKeyEventData(r: ApiKeyRow) {
  return { api_key_id: r.id, name: r.name, scopes: r.scopes, expires_at: iso(r.expires_at) };
}
