import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { OptionalField } from '@credence/http';
import { MAX_PEM_LENGTH } from '../certificates';
import { TextField, UrlField } from './connection-fields';

export class LdapInputDto {
  @ApiProperty({ example: 'ldaps://ldap.acme.example' }) @UrlField() url: string;
  @ApiPropertyOptional({ default: false }) @OptionalField() @IsBoolean() start_tls?: boolean;
  @ApiProperty({ example: 'cn=credence,ou=services,dc=acme,dc=example' }) @TextField(1000) bind_dn: string;
  @ApiProperty({ description: 'Sealed at rest, never returned.' }) @IsString() @Length(1, 1000) bind_password: string;
  @ApiProperty({ example: 'ou=people,dc=acme,dc=example' }) @TextField(1000) user_search_base: string;
  @ApiProperty({ example: '(uid={{username}})' }) @TextField(1000) user_search_filter: string;
  @ApiPropertyOptional() @OptionalField() @TextField(1000) group_search_base?: string;
  @ApiPropertyOptional() @OptionalField() @TextField(1000) group_search_filter?: string;
  @ApiPropertyOptional({ default: 5000, minimum: 100, maximum: 30000 }) @OptionalField() @IsInt() @Min(100) @Max(30000) timeout_ms?: number;
  @ApiPropertyOptional({ description: 'PEM CA certificate for ldaps/StartTLS.' }) @OptionalField() @IsString() @MaxLength(MAX_PEM_LENGTH) ca_certificate?: string;
}

/** PATCH: each field optional; a bind_password given replaces the sealed one. */
export class LdapPatchDto {
  @ApiPropertyOptional() @OptionalField() @UrlField() url?: string;
  @ApiPropertyOptional() @OptionalField() @IsBoolean() start_tls?: boolean;
  @ApiPropertyOptional() @OptionalField() @TextField(1000) bind_dn?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @Length(1, 1000) bind_password?: string;
  @ApiPropertyOptional() @OptionalField() @TextField(1000) user_search_base?: string;
  @ApiPropertyOptional() @OptionalField() @TextField(1000) user_search_filter?: string;
  @ApiPropertyOptional() @OptionalField() @TextField(1000) group_search_base?: string;
  @ApiPropertyOptional() @OptionalField() @TextField(1000) group_search_filter?: string;
  @ApiPropertyOptional() @OptionalField() @IsInt() @Min(100) @Max(30000) timeout_ms?: number;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(MAX_PEM_LENGTH) ca_certificate?: string;
}
