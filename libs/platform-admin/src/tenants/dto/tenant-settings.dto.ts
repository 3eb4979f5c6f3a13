import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { OptionalField } from '@credence/http';
import { COLOR_PATTERN, LOCALE_PATTERN, LOGO_URL_MAX_LENGTH, TENANT_SETTING_LIMITS as L } from '@credence/tenancy';

/** Validated per-tenant settings; omitted keys use platform defaults. Limits: TENANT_SETTING_LIMITS, the settings writer's. */
export class TenantSettingsDto {
  @ApiPropertyOptional({ minimum: 60, maximum: 86400, default: 900 })
  @OptionalField()
  @IsInt()
  @Min(L.access_token_ttl_seconds.min)
  @Max(L.access_token_ttl_seconds.max)
  access_token_ttl_seconds?: number;

  @ApiPropertyOptional({ minimum: 300, maximum: 7776000 })
  @OptionalField()
  @IsInt()
  @Min(L.refresh_token_idle_seconds.min)
  @Max(L.refresh_token_idle_seconds.max)
  refresh_token_idle_seconds?: number;

  @ApiPropertyOptional({ minimum: 300, maximum: 31536000 })
  @OptionalField()
  @IsInt()
  @Min(L.refresh_token_absolute_seconds.min)
  @Max(L.refresh_token_absolute_seconds.max)
  refresh_token_absolute_seconds?: number;

  @ApiPropertyOptional({ minimum: 60, maximum: 7776000 })
  @OptionalField()
  @IsInt()
  @Min(L.session_idle_seconds.min)
  @Max(L.session_idle_seconds.max)
  session_idle_seconds?: number;

  @ApiPropertyOptional({ minimum: 300, maximum: 31536000 })
  @OptionalField()
  @IsInt()
  @Min(L.session_absolute_seconds.min)
  @Max(L.session_absolute_seconds.max)
  session_absolute_seconds?: number;

  @ApiPropertyOptional({ minimum: 12, maximum: 128, default: 12, description: 'NIST SP 800-63B allows 8; Credence does not go below 12.' })
  @OptionalField()
  @IsInt()
  @Min(L.password_min_length.min)
  @Max(L.password_min_length.max)
  password_min_length?: number;

  @ApiPropertyOptional({ minimum: 60, maximum: 86400, default: 900 })
  @OptionalField()
  @IsInt()
  @Min(L.lockout_seconds.min)
  @Max(L.lockout_seconds.max)
  lockout_seconds?: number;

  @ApiPropertyOptional({ example: 'en', description: 'BCP 47 language tag' })
  @OptionalField()
  @Matches(LOCALE_PATTERN)
  default_locale?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 365, default: 30, description: "How long the replay API keeps this tenant's events." })
  @OptionalField()
  @IsInt()
  @Min(L.event_retention_days.min)
  @Max(L.event_retention_days.max)
  event_retention_days?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 3650, default: 180, description: 'Sessions inactive this long are anonymised by the retention worker.' })
  @OptionalField()
  @IsInt()
  @Min(L.session_anonymize_after_days.min)
  @Max(L.session_anonymize_after_days.max)
  session_anonymize_after_days?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 3650, default: 365, description: 'Sessions inactive this long are deleted by the retention worker.' })
  @OptionalField()
  @IsInt()
  @Min(L.session_delete_after_days.min)
  @Max(L.session_delete_after_days.max)
  session_delete_after_days?: number;

  @ApiPropertyOptional({ minimum: 365, maximum: 3650, default: 365, description: 'Audit rows older than this are deleted (the chain keeps verifying from a checkpoint).' })
  @OptionalField()
  @IsInt()
  @Min(L.audit_retention_days.min)
  @Max(L.audit_retention_days.max)
  audit_retention_days?: number;

  @ApiPropertyOptional({ minimum: 2, maximum: 1000, default: 5, description: 'Failed logins for one account within the window that raise an incident.' })
  @OptionalField()
  @IsInt()
  @Min(L.detect_failed_logins_per_account.min)
  @Max(L.detect_failed_logins_per_account.max)
  detect_failed_logins_per_account?: number;

  @ApiPropertyOptional({ minimum: 2, maximum: 100000, default: 20, description: 'Failed logins from one IP, across accounts, within the window that raise an incident.' })
  @OptionalField()
  @IsInt()
  @Min(L.detect_failed_logins_per_ip.min)
  @Max(L.detect_failed_logins_per_ip.max)
  detect_failed_logins_per_ip?: number;

  @ApiPropertyOptional({ minimum: 60, maximum: 86400, default: 600 })
  @OptionalField()
  @IsInt()
  @Min(L.detect_failed_login_window_seconds.min)
  @Max(L.detect_failed_login_window_seconds.max)
  detect_failed_login_window_seconds?: number;

  @ApiPropertyOptional({ minimum: 60, maximum: 86400, default: 3600, description: 'Logins of one user from two countries within this window raise an incident.' })
  @OptionalField()
  @IsInt()
  @Min(L.detect_travel_window_seconds.min)
  @Max(L.detect_travel_window_seconds.max)
  detect_travel_window_seconds?: number;

  @ApiPropertyOptional({
    maxLength: LOGO_URL_MAX_LENGTH,
    default: '',
    example: 'https://cdn.acme.example/logo.svg',
    description: "Logo on the hosted login page: an https URL, or '' for none. The settings writer checks the URL.",
  })
  @OptionalField()
  @IsString()
  @MaxLength(LOGO_URL_MAX_LENGTH)
  login_logo_url?: string;

  @ApiPropertyOptional({ default: '', example: '#1a73e8', description: "Accent colour of the hosted login page (#rrggbb), or '' for the default." })
  @OptionalField()
  @IsString()
  @Matches(COLOR_PATTERN)
  login_primary_color?: string;
}
