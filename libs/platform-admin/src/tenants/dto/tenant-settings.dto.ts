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

  @ApiPropertyOptional({ minimum: 1, maximum: 3650, default: 180, description: 'Sessions inactive this long are anonymised by the retention worker.' })
  @OptionalField() @IsInt() @Min(1) @Max(3650)
  session_anonymize_after_days?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 3650, default: 365, description: 'Sessions inactive this long are deleted by the retention worker.' })
  @OptionalField() @IsInt() @Min(1) @Max(3650)
  session_delete_after_days?: number;

  @ApiPropertyOptional({ minimum: 365, maximum: 3650, default: 365, description: 'Audit rows older than this are deleted (the chain keeps verifying from a checkpoint).' })
  @OptionalField() @IsInt() @Min(365) @Max(3650)
  audit_retention_days?: number;

  @ApiPropertyOptional({ minimum: 2, maximum: 1000, default: 5, description: 'Failed logins for one account within the window that raise an incident.' })
  @OptionalField() @IsInt() @Min(2) @Max(1000)
  detect_failed_logins_per_account?: number;

  @ApiPropertyOptional({ minimum: 2, maximum: 100000, default: 20, description: 'Failed logins from one IP, across accounts, within the window that raise an incident.' })
  @OptionalField() @IsInt() @Min(2) @Max(100_000)
  detect_failed_logins_per_ip?: number;

  @ApiPropertyOptional({ minimum: 60, maximum: 86400, default: 600 })
  @OptionalField() @IsInt() @Min(60) @Max(86400)
  detect_failed_login_window_seconds?: number;

  @ApiPropertyOptional({ minimum: 60, maximum: 86400, default: 3600, description: 'Logins of one user from two countries within this window raise an incident.' })
  @OptionalField() @IsInt() @Min(60) @Max(86400)
  detect_travel_window_seconds?: number;
}
