import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsDateString, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { ADMIN_SCOPES, AdminScope } from '../../auth/admin-scopes';

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
  @IsOptional()
  @IsDateString({ strict: true })
  expires_at?: string;
}
