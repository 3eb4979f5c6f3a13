import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsDateString, IsIn, IsString, Length, Matches } from 'class-validator';
import { OptionalField } from '@credence/http';
import { ADMIN_SCOPES, AdminScope } from '@credence/access';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'ci-onboarding', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({ enum: ADMIN_SCOPES, isArray: true, example: ['tenants:read'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ADMIN_SCOPES.length)
  @ArrayUnique()
  @IsIn(ADMIN_SCOPES, { each: true })
  scopes: AdminScope[];

  @ApiPropertyOptional({ description: 'RFC 3339 time after which the key stops working; must be in the future.', example: '2027-01-01T00:00:00Z' })
  @OptionalField()
  @IsDateString({ strict: true })
  @Matches(/(Z|[+-]\d{2}:\d{2})$/, { message: 'expires_at must carry a time zone (Z or ±hh:mm)' })
  expires_at?: string;
}
