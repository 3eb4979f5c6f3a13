import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { OptionalField, PageQueryDto } from '@credence/http';
import { ROLE_NAME_PATTERN } from '../../roles/dto/role-name';
import { UserStatus } from './user.response';

export const USER_STATUSES: readonly UserStatus[] = ['invited', 'active', 'disabled'];

export class ListUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: USER_STATUSES })
  @OptionalField()
  @IsIn(USER_STATUSES)
  status?: UserStatus;

  @ApiPropertyOptional({ description: 'Only users who hold this role (by name) directly.' })
  @OptionalField()
  @Matches(ROLE_NAME_PATTERN)
  role?: string;

  @ApiPropertyOptional({ description: 'Text contained in e-mail, username or display name (case-insensitive).' })
  @OptionalField()
  @IsString()
  @Length(1, 100)
  q?: string;
}
