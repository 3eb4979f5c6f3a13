import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsString, IsUUID, Matches, ValidateNested } from 'class-validator';
import { OptionalField } from '@credence/http';
import { IsAttributeMap } from '../../users/dto/attributes';
import { RESOURCE_OR_ACTION_PATTERN } from '../permission';

/** The record the access is to. Without it only `:any` grants can allow. */
export class AccessContextDto {
  @ApiPropertyOptional({ description: "The user who owns the record; `:self` and attribute scopes compare against this user's stored data." })
  @OptionalField()
  @IsUUID()
  user_id?: string;

  @ApiPropertyOptional({ type: Object, example: { department: 'sales' }, description: 'Attributes of the record, used when user_id is not given or unknown.' })
  @OptionalField()
  @IsAttributeMap()
  attributes?: Record<string, string | number | boolean>;
}

export class CheckAccessDto {
  @ApiProperty({ example: 'user', pattern: RESOURCE_OR_ACTION_PATTERN.source })
  @IsString()
  @Matches(RESOURCE_OR_ACTION_PATTERN)
  resource: string;

  @ApiProperty({ example: 'read', pattern: RESOURCE_OR_ACTION_PATTERN.source })
  @IsString()
  @Matches(RESOURCE_OR_ACTION_PATTERN)
  action: string;

  @ApiPropertyOptional({ type: AccessContextDto })
  @OptionalField()
  @IsObject()
  @ValidateNested()
  @Type(() => AccessContextDto)
  context?: AccessContextDto;
}

export class PermissionCheckDto extends CheckAccessDto {
  @ApiProperty({ description: 'The user whose access is asked about.' })
  @IsUUID()
  user_id: string;
}

export class AccessAnswerResponse {
  @ApiProperty() allowed: boolean;
  @ApiProperty({
    example: 'granted',
    description: 'granted, no_permission, not_own_record, department_mismatch, conditions_not_met, target_required, user_inactive or user_not_found',
  })
  reason: string;
  @ApiProperty({ nullable: true, type: String, example: 'user.read:any', description: 'The permission that allowed it.' }) permission: string | null;
  @ApiProperty({ description: 'The reason in words.' }) detail: string;
}
