import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ApplicationRow } from '../application-row';
import type { ApplicationType } from '../redirect-uris';
import { APPLICATION_TYPES } from './application-fields';

export class ApplicationResponse {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'The OAuth client_id: cac_ and 22 base64url characters.' }) client_id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: APPLICATION_TYPES }) type: ApplicationType;
  @ApiProperty({ type: [String] }) redirect_uris: string[];
  @ApiProperty({ type: [String] }) post_logout_redirect_uris: string[];
  @ApiProperty({ type: [String], nullable: true, description: 'null: every connection of the tenant.' }) connections: string[] | null;
  @ApiProperty({ type: String, nullable: true, description: 'OIDC Core §4 login initiation endpoint (IdP-initiated sign-in goes there); null: none.' })
  initiate_login_uri: string | null;
  @ApiProperty({ description: 'Who created it, e.g. user:<id>' }) created_by: string;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
  @ApiProperty({ nullable: true, type: String, description: 'Confidential apps: when the secret was last rotated; null before the first rotation and for public apps.' })
  secret_rotated_at: string | null;
}

export class ApplicationWithSecretResponse extends ApplicationResponse {
  @ApiPropertyOptional({ description: 'Confidential apps only, in this response once: cas_ and 43 base64url characters. Only its SHA-256 is kept.' })
  client_secret?: string;
}

export function toApplicationResponse(r: ApplicationRow): ApplicationResponse {
  return {
    id: r.id,
    client_id: r.client_id,
    name: r.name,
    type: r.type,
    redirect_uris: r.redirect_uris,
    post_logout_redirect_uris: r.post_logout_redirect_uris,
    connections: r.connections,
    initiate_login_uri: r.initiate_login_uri,
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
    secret_rotated_at: r.secret_rotated_at ? r.secret_rotated_at.toISOString() : null,
  };
}
