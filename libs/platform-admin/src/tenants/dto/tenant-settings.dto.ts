import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { OptionalField } from '@credence/http';

/** Validated per-tenant settings; omitted keys use platform defaults. */
export class TenantSettingsDto {
  @ApiPropertyOptional({ minimum: 60, maximum: 86400, default: 900 })
  @OptionalField() @IsInt() @Min(60) @Max(86400)
  access_token_ttl_seconds?: number;

  @ApiPropertyOptional({ minimum: 300, maximum: 7776000 })
  @OptionalField() @IsInt() @Min(300) @Max(7_776_000)
  refresh_token_idle_seconds?: number;

  @ApiPropertyOptional({ minimum: 300, maximum: 31536000 })
  @OptionalField() @IsInt() @Min(300) @Max(31_536_000)
  refresh_token_absolute_seconds?: number;

  @ApiPropertyOptional({ minimum: 60, maximum: 7776000 })
  @OptionalField() @IsInt() @Min(60) @Max(7_776_000)
  session_idle_seconds?: number;

  @ApiPropertyOptional({ minimum: 300, maximum: 31536000 })
  @OptionalField() @IsInt() @Min(300) @Max(31_536_000)
  session_absolute_seconds?: number;

  @ApiPropertyOptional({ minimum: 12, maximum: 128, default: 12, description: 'NIST SP 800-63B allows 8; Credence does not go below 12.' })
  @OptionalField() @IsInt() @Min(12) @Max(128)
  password_min_length?: number;

  @ApiPropertyOptional({ minimum: 60, maximum: 86400, default: 900 })
  @OptionalField() @IsInt() @Min(60) @Max(86400)
  lockout_seconds?: number;

  @ApiPropertyOptional({ example: 'en', description: 'BCP 47 language tag' })
  @OptionalField() @Matches(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/)
  default_locale?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 365, default: 30, description: 'How long the replay API keeps this tenant\'s events.' })
  @OptionalField() @IsInt() @Min(1) @Max(365)
  event_retention_days?: number;
}
