import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import { DEFAULT_TENANT_SETTINGS, TENANT_SETTING_LIMITS } from '@credence/tenancy';

/**
 * An optional integer setting: absent leaves it as it is, `null` goes back to the platform default,
 * anything else must be an integer within the setting's limits (TENANT_SETTING_LIMITS, the ones the
 * platform admin API and the settings writer apply too).
 */
export function IntSetting(key: keyof typeof TENANT_SETTING_LIMITS, description: string) {
  const { min, max } = TENANT_SETTING_LIMITS[key];
  return applyDecorators(
    ApiPropertyOptional({
      type: Number,
      nullable: true,
      minimum: min,
      maximum: max,
      default: DEFAULT_TENANT_SETTINGS[key],
      description: `${description} null: back to the platform default.`,
    }),
    ValidateIf((_object, value) => value !== undefined && value !== null),
    IsInt(),
    Min(min),
    Max(max),
  );
}
