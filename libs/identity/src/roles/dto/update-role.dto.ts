import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { OptionalField } from '@credence/http';
import { PermissionList } from './permission-list';
import { ROLE_NAME_PATTERN, ROLE_NAME_RULE } from './role-name';

/** Partial update; `permissions` replaces the whole list. Built-in roles keep their name and default permissions. */
export class UpdateRoleDto {
  @ApiPropertyOptional({ pattern: ROLE_NAME_PATTERN.source })
  @OptionalField()
  @IsString()
  @Matches(ROLE_NAME_PATTERN, { message: ROLE_NAME_RULE })
  name?: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @OptionalField()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ type: [String] })
  @OptionalField()
  @PermissionList()
  permissions?: string[];
}
