import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Length, Matches } from 'class-validator';
import { OptionalField } from '@credence/http';
import { DEFAULT_SERVICE_PERMISSIONS, SERVICE_PERMISSIONS, ServicePermission } from '../service-permissions';

export class CreateServiceCredentialDto {
  @ApiProperty({ example: 'billing-service', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @Matches(/^[^\p{Cc}]+$/u, { message: 'name must not contain control characters' })
  name: string;

  @ApiPropertyOptional({
    enum: SERVICE_PERMISSIONS,
    isArray: true,
    example: ['token.introspect'],
    description: `What the credential may do, at least one, each once. Left out: ${DEFAULT_SERVICE_PERMISSIONS.join(', ')}.`,
  })
  @OptionalField()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SERVICE_PERMISSIONS.length)
  @ArrayUnique()
  @IsIn(SERVICE_PERMISSIONS, { each: true, message: `each permission must be one of ${SERVICE_PERMISSIONS.join(', ')}` })
  permissions?: ServicePermission[];
}
