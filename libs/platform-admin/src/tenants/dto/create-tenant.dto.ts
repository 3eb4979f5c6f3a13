import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsObject,
  IsEmail,
  IsNotEmptyObject,
  IsString,
  Length,
  Matches,
  MaxLength,
  Validate,
  ValidateNested,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { OptionalField } from '@credence/http';
import { DomainList } from './domains';
import { isReservedSlug, SLUG_PATTERN } from './slug';
import { TenantSettingsDto } from './tenant-settings.dto';

@ValidatorConstraint({ name: 'notReservedSlug' })
class NotReservedSlug implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    // Only judges strings; the pattern check reports anything else.
    return typeof value !== 'string' || !isReservedSlug(value);
  }
  defaultMessage(): string {
    return 'slug is reserved';
  }
}

export class FirstAdminDto {
  @ApiProperty({ example: 'ada@acme.example' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsEmail({ allow_display_name: false, allow_ip_domain: false })
  @MaxLength(254)
  email: string;

  @ApiPropertyOptional({ description: 'Omit to get a one-time invite token instead.', minLength: 12, maxLength: 256 })
  @OptionalField()
  @IsString()
  @Length(12, 256)
  password?: string;
}

export class CreateTenantDto {
  @ApiProperty({ example: 'acme', pattern: SLUG_PATTERN.source })
  @IsString()
  @Matches(SLUG_PATTERN, { message: 'slug must match ^[a-z][a-z0-9-]{1,62}$' })
  @Validate(NotReservedSlug)
  slug: string;

  @ApiProperty({ example: 'Acme Corporation', minLength: 1, maxLength: 200 })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ type: [String], example: ['acme.example'] })
  @OptionalField()
  @DomainList()
  domains?: string[];

  @ApiProperty({ type: FirstAdminDto })
  @IsNotEmptyObject()
  @ValidateNested()
  @Type(() => FirstAdminDto)
  admin: FirstAdminDto;

  @ApiPropertyOptional({ type: TenantSettingsDto })
  @OptionalField()
  @IsObject()
  @ValidateNested()
  @Type(() => TenantSettingsDto)
  settings?: TenantSettingsDto;
}
