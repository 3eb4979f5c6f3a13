import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsObject, IsString, Length, ValidateNested } from 'class-validator';
import { OptionalField } from '@credence/http';
import { DomainList } from './domains';
import { TenantSettingsDto } from './tenant-settings.dto';

/** Partial update. `settings` keys given replace the stored ones; `domains` replaces the whole list. */
export class UpdateTenantDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @OptionalField()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ type: [String] })
  @OptionalField()
  @DomainList()
  domains?: string[];

  @ApiPropertyOptional({ type: TenantSettingsDto })
  @OptionalField()
  @IsObject()
  @ValidateNested()
  @Type(() => TenantSettingsDto)
  settings?: TenantSettingsDto;
}
