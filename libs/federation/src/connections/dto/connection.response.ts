import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { certificateInfo, CertificateInfo } from '../certificates';
import type { ConnectionType, OidcSettings } from '../connection';
import type { ConnectionRecord } from '../connection-row';
import { oidcJwksUri, oidcRedirectUri, samlAcsUrl, samlSloUrl, samlSpEntityId, samlSpMetadataUrl } from '../connection-urls';
import { CONNECTION_TYPES } from './connection-fields';

export class SamlOutput {
  @ApiProperty({ description: 'Give this to the IdP as the SP entity id / audience.' }) sp_entity_id: string;
  @ApiProperty({ description: 'Give this to the IdP as the ACS (reply) URL.' }) acs_url: string;
  @ApiProperty({ description: 'The SP metadata (signing and encryption certificates).' }) sp_metadata_url: string;
  @ApiProperty() slo_url: string;
  @ApiProperty() sp_signing_certificate: string;
  @ApiProperty() sp_encryption_certificate: string;
  @ApiProperty() idp_entity_id: string;
  @ApiProperty() idp_sso_url: string;
  @ApiPropertyOptional({ type: String, nullable: true }) idp_slo_url: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) idp_metadata_url: string | null;
  @ApiProperty({ type: [String] }) idp_certificates: string[];
  @ApiProperty({ description: 'Per IdP certificate: subject, not_before, not_after, SHA-256 fingerprint, expired, expiring (within 30 days).' })
  idp_certificates_info: CertificateInfo[];
  @ApiProperty() allow_idp_initiated: boolean;
  @ApiPropertyOptional({ type: String, nullable: true }) idp_initiated_client_id: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) idp_initiated_target_link_uri: string | null;
  @ApiProperty() sign_authn_requests: boolean;
  @ApiProperty() allow_sha1: boolean;
}

export class ConnectionResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: CONNECTION_TYPES }) type: ConnectionType;
  @ApiProperty() name: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ enum: ['active', 'error'] }) status: 'active' | 'error';
  @ApiProperty({ type: String, nullable: true, description: 'Why the status is error (e.g. the last metadata refresh failed).' }) status_detail: string | null;
  @ApiProperty({ type: [String] }) domains: string[];
  @ApiProperty() jit: { enabled: boolean; default_roles: string[] };
  @ApiProperty() attribute_mapping: Record<string, string>;
  @ApiProperty() group_role_mapping: { group: string; role: string }[];
  @ApiPropertyOptional({ type: SamlOutput }) saml?: SamlOutput;
  @ApiPropertyOptional({ description: 'issuer, client_id, scopes, redirect_uri (give it to the IdP), client_secret_set.' }) oidc?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'The directory settings and bind_password_set; never the password.' }) ldap?: Record<string, unknown>;
  @ApiProperty() created_by: string;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

function samlOutput(base: string, slug: string, r: ConnectionRecord): SamlOutput {
  const s = r.config.saml!;
  return {
    sp_entity_id: samlSpEntityId(base, slug, r.id),
    acs_url: samlAcsUrl(base, slug, r.id),
    sp_metadata_url: samlSpMetadataUrl(base, slug, r.id),
    slo_url: samlSloUrl(base, slug, r.id),
    sp_signing_certificate: s.sp_signing_certificate,
    sp_encryption_certificate: s.sp_encryption_certificate,
    idp_entity_id: s.idp_entity_id,
    idp_sso_url: s.idp_sso_url,
    idp_slo_url: s.idp_slo_url ?? null,
    idp_metadata_url: s.idp_metadata_url ?? null,
    idp_certificates: s.idp_certificates,
    idp_certificates_info: s.idp_certificates.map((pem) => certificateInfo(pem)),
    allow_idp_initiated: s.allow_idp_initiated,
    idp_initiated_client_id: s.idp_initiated_client_id ?? null,
    idp_initiated_target_link_uri: s.idp_initiated_target_link_uri ?? null,
    sign_authn_requests: s.sign_authn_requests,
    allow_sha1: s.allow_sha1,
  };
}

/** The API's view: settings and the URLs the IdP admin needs; secrets only as "set". */
export function toConnectionResponse(base: string, slug: string, r: ConnectionRecord): ConnectionResponse {
  return {
    id: r.id,
    type: r.type,
    name: r.name,
    enabled: r.enabled,
    status: r.status,
    status_detail: r.status_detail,
    domains: r.domains,
    jit: r.jit,
    attribute_mapping: r.attribute_mapping as Record<string, string>,
    group_role_mapping: r.group_role_mapping,
    ...(r.type === 'saml' && r.config.saml ? { saml: samlOutput(base, slug, r) } : {}),
    ...(r.type === 'oidc' && r.config.oidc ? { oidc: oidcOutput(base, slug, r.id, r.config.oidc) } : {}),
    ...(r.type === 'ldap' && r.config.ldap ? { ldap: { ...r.config.ldap, bind_password_set: true } } : {}),
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

function oidcOutput(base: string, slug: string, id: string, oidc: OidcSettings): Record<string, unknown> {
  const keyAuth = oidc.token_endpoint_auth_method === 'private_key_jwt';
  return {
    ...oidc,
    redirect_uri: oidcRedirectUri(base, slug, id),
    ...(keyAuth ? { jwks_uri: oidcJwksUri(base, slug, id) } : { client_public_jwk: undefined, client_secret_set: true }),
  };
}
