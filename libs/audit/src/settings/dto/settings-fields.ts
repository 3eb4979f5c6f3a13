import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';

/**
 * An optional integer setting: absent leaves it as it is, `null` goes back to the platform default,
 * anything else must be an integer within [min, max]. The limits are those of the platform admin
 * API's TenantSettingsDto (libs/platform-admin/src/tenants/dto/tenant-settings.dto.ts).
 */
export function IntSetting(min: number, max: number, fallback: number, description: string) {
  return applyDecorators(
    ApiPropertyOptional({ type: Number, nullable: true, minimum: min, maximum: max, default: fallback, description: `${description} null: back to the platform default.` }),
    ValidateIf((_object, value) => value !== undefined && value !== null),
    IsInt(),
    Min(min),
    Max(max),
  );
}
