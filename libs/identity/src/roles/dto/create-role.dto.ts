import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { OptionalField } from '@credence/http';
import { PermissionList } from './permission-list';
import { ROLE_NAME_PATTERN, ROLE_NAME_RULE } from './role-name';

/** A custom role: no rank, so it includes only its own permissions. */
export class CreateRoleDto {
  @ApiProperty({ example: 'auditor', pattern: ROLE_NAME_PATTERN.source })
  @IsString()
  @Matches(ROLE_NAME_PATTERN, { message: ROLE_NAME_RULE })
  name: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @OptionalField()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiProperty({ type: [String], example: ['audit.read:any', 'user.read:department'] })
  @PermissionList()
  permissions: string[];
}
