import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsObject, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { OptionalField } from '@credence/http';

const ROLE_NAME = /^[a-z][a-z0-9_-]{0,99}$/;
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const TEXT = /^[^\u0000-\u001f\u007f]*$/;

export class GroupRoleMappingDto {
  @ApiProperty({ description: "A SCIM group's displayName (compared case-insensitively).", example: 'Engineering' })
  @IsString()
  @Length(1, 256)
  @Matches(TEXT, { message: 'group must not contain control characters' })
  group: string;

  @ApiProperty({ example: 'manager' })
  @IsString()
  @Matches(ROLE_NAME, { message: 'role must be a role name' })
  role: string;
}

const MappingField = () =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(100),
    ValidateNested({ each: true }),
    IsObject({ each: true }),
    Type(() => GroupRoleMappingDto),
  );

export class CreateDirectoryDto {
  @ApiProperty({ example: 'Entra ID' })
  @IsString()
  @Length(1, 100)
  @Matches(TEXT, { message: 'name must not contain control characters' })
  name: string;

  @ApiPropertyOptional({ type: [GroupRoleMappingDto], description: 'Members of a SCIM group get the role; leaving the group takes it away.' })
  @OptionalField()
  @MappingField()
  group_role_mapping?: GroupRoleMappingDto[];
}

export class DirectoryResponse {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [GroupRoleMappingDto] }) group_role_mapping: { group: string; role: string }[];
  @ApiProperty({ description: 'The SCIM base URL to give the identity provider.' }) scim_base_url: string;
  @ApiProperty() created_at: string;
  @ApiProperty() token_rotated_at: string;
}

export class DirectoryWithTokenResponse extends DirectoryResponse {
  @ApiProperty({ description: 'The bearer token, shown in this response only; store it in the identity provider now.' }) token: string;
}

export interface DirectoryRow {
  id: string;
  name: string;
  group_role_mapping: { group: string; role: string }[];
  created_at: Date;
  token_rotated_at: Date;
}

export const DIRECTORY_COLUMNS = 'id, name, group_role_mapping, created_at, token_rotated_at';

export function toDirectoryResponse(row: DirectoryRow, baseUrl: string, slug: string): DirectoryResponse {
  return {
    id: row.id,
    name: row.name,
    group_role_mapping: row.group_role_mapping,
    scim_base_url: `${baseUrl.replace(/\/+$/, '')}/v1/t/${slug}/scim/v2`,
    created_at: row.created_at.toISOString(),
    token_rotated_at: row.token_rotated_at.toISOString(),
  };
}
