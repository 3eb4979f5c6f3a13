import { ApiProperty } from '@nestjs/swagger';
import type { ServiceCredentialData } from '@credence/contracts';
import { SERVICE_PERMISSIONS, ServicePermission } from '../service-permissions';

export class ServiceCredentialResponse {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'Public identifier the service authenticates with (HTTP Basic user name or client_id).' }) client_id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: SERVICE_PERMISSIONS, isArray: true, description: 'What the credential may do' }) permissions: ServicePermission[];
  @ApiProperty({ description: 'Who created it, e.g. user:<id>' }) created_by: string;
  @ApiProperty() created_at: string;
  @ApiProperty({ nullable: true, type: String }) revoked_at: string | null;
  @ApiProperty({ nullable: true, type: String }) last_used_at: string | null;
}

export class CreatedServiceCredentialResponse extends ServiceCredentialResponse {
  @ApiProperty({ description: 'The secret, shown this once only; only its SHA-256 is kept.' }) client_secret: string;
}

export interface ServiceCredentialRow {
  id: string;
  client_id: string;
  name: string;
  permissions: ServicePermission[];
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export const SERVICE_CREDENTIAL_COLUMNS = 'id, client_id, name, permissions, created_by, created_at, revoked_at, last_used_at';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toServiceCredentialResponse(r: ServiceCredentialRow): ServiceCredentialResponse {
  return {
    id: r.id,
    client_id: r.client_id,
    name: r.name,
    permissions: r.permissions,
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
    revoked_at: iso(r.revoked_at),
    last_used_at: iso(r.last_used_at),
  };
}

export function serviceCredentialEventData(r: ServiceCredentialRow): ServiceCredentialData {
  return { service_credential_id: r.id, client_id: r.client_id, name: r.name };
}
