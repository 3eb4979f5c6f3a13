/** Per-tenant settings; each key is optional and falls back to the platform default. */
export interface TenantSettings {
  access_token_ttl_seconds?: number;
  refresh_token_idle_seconds?: number;
  refresh_token_absolute_seconds?: number;
  session_idle_seconds?: number;
  session_absolute_seconds?: number;
  password_min_length?: number;
  lockout_seconds?: number;
  default_locale?: string;
  event_retention_days?: number;
}

export const DEFAULT_TENANT_SETTINGS: Required<TenantSettings> = {
  access_token_ttl_seconds: 900,
  refresh_token_idle_seconds: 14 * 24 * 3600,
  refresh_token_absolute_seconds: 30 * 24 * 3600,
  session_idle_seconds: 14 * 24 * 3600,
  session_absolute_seconds: 30 * 24 * 3600,
  password_min_length: 12,
  lockout_seconds: 900,
  default_locale: 'en',
  event_retention_days: 30,
};
