import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsString, Length, MaxLength } from 'class-validator';
import { OptionalField } from '@credence/http';
import { MAX_CERTIFICATES, MAX_PEM_LENGTH } from '../certificates';
import { MAX_METADATA_BYTES } from '../idp-metadata';
import { TextField, UrlField } from './connection-fields';

/** The IdP: exactly one source (metadata XML, a metadata URL, or entity id + SSO URL + certificates), and the SP's options. */
export class SamlInputDto {
  @ApiPropertyOptional({ description: 'The IdP metadata document (at most 256 KB, no DOCTYPE).' })
  @OptionalField()
  @IsString()
  @Length(1, MAX_METADATA_BYTES)
  idp_metadata_xml?: string;

  @ApiPropertyOptional({ description: 'Where the IdP publishes its metadata: fetched now (through the SSRF guard) and refreshed on a schedule.' })
  @OptionalField()
  @UrlField()
  idp_metadata_url?: string;

  @ApiPropertyOptional() @OptionalField() @TextField(1000) idp_entity_id?: string;
  @ApiPropertyOptional() @OptionalField() @UrlField() idp_sso_url?: string;
  @ApiPropertyOptional() @OptionalField() @UrlField() idp_slo_url?: string;

  @ApiPropertyOptional({ type: [String], description: 'PEM certificates of the IdP (at most 5, several during a rollover).' })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(MAX_CERTIFICATES)
  @IsString({ each: true })
  @MaxLength(MAX_PEM_LENGTH, { each: true })
  idp_certificates?: string[];

  @ApiPropertyOptional({ default: false }) @OptionalField() @IsBoolean() allow_idp_initiated?: boolean;

  @ApiPropertyOptional({ description: 'The client_id of the application an IdP-initiated sign-in goes to; required to allow one.' })
  @OptionalField()
  @TextField(100)
  idp_initiated_client_id?: string;

  @ApiPropertyOptional({
    description: 'Where that application should take the user after an IdP-initiated sign-in (sent as target_link_uri; the app must check it). Never taken from RelayState.',
  })
  @OptionalField()
  @UrlField()
  idp_initiated_target_link_uri?: string;

  @ApiPropertyOptional({ default: true }) @OptionalField() @IsBoolean() sign_authn_requests?: boolean;
  @ApiPropertyOptional({ default: false }) @OptionalField() @IsBoolean() allow_sha1?: boolean;
}
