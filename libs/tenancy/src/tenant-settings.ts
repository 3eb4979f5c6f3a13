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
  /** Retention: sessions inactive this long lose ip, user agent detail and location. */
  session_anonymize_after_days?: number;
  /** Retention: sessions inactive this long are deleted. */
  session_delete_after_days?: number;
  /** Retention: audit rows older than this are deleted (never fewer than 365 days). */
  audit_retention_days?: number;
  /** Security detection thresholds (audit ingest). */
  detect_failed_logins_per_account?: number;
  detect_failed_logins_per_ip?: number;
  detect_failed_login_window_seconds?: number;
  detect_travel_window_seconds?: number;
  /** Hosted login page: the tenant's logo, an https URL ('' for none). */
  login_logo_url?: string;
  /** Hosted login page: the accent colour, `#rrggbb` ('' for the default). */
  login_primary_color?: string;
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
  session_anonymize_after_days: 180,
  session_delete_after_days: 365,
  audit_retention_days: 365,
  detect_failed_logins_per_account: 5,
  detect_failed_logins_per_ip: 20,
  detect_failed_login_window_seconds: 600,
  detect_travel_window_seconds: 3600,
  login_logo_url: '',
  login_primary_color: '',
};

/** The allowed range of each numeric setting: the one set of limits every route that writes settings applies. */
export const TENANT_SETTING_LIMITS = {
  access_token_ttl_seconds: { min: 60, max: 86_400 },
  refresh_token_idle_seconds: { min: 300, max: 7_776_000 },
  refresh_token_absolute_seconds: { min: 300, max: 31_536_000 },
  session_idle_seconds: { min: 60, max: 7_776_000 },
  session_absolute_seconds: { min: 300, max: 31_536_000 },
  password_min_length: { min: 12, max: 128 },
  lockout_seconds: { min: 60, max: 86_400 },
  event_retention_days: { min: 1, max: 365 },
  session_anonymize_after_days: { min: 1, max: 3650 },
  session_delete_after_days: { min: 1, max: 3650 },
  audit_retention_days: { min: 365, max: 3650 },
  detect_failed_logins_per_account: { min: 2, max: 1000 },
  detect_failed_logins_per_ip: { min: 2, max: 100_000 },
  detect_failed_login_window_seconds: { min: 60, max: 86_400 },
  detect_travel_window_seconds: { min: 60, max: 86_400 },
} as const satisfies Record<Exclude<keyof TenantSettings, TextSettingKey>, { min: number; max: number }>;

/** The settings whose values are strings; each has its own format below. */
export type TextSettingKey = 'default_locale' | 'login_logo_url' | 'login_primary_color';

/** `default_locale`: a BCP 47 language tag. */
export const LOCALE_PATTERN = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** `login_primary_color`: a hex colour, or '' for the page's default. */
export const COLOR_PATTERN = /^(#[0-9a-fA-F]{6})?$/;

export const LOGO_URL_MAX_LENGTH = 2048;

/** `login_logo_url`: '' (no logo) or an absolute https URL without credentials, printable ASCII, at most 2048 characters. */
export function isLogoUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > LOGO_URL_MAX_LENGTH) return false;
  if (value === '') return true;
  if (!/^https:\/\/[\x21-\x7e]+$/.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && !url.username && !url.password && url.hostname !== '';
  } catch {
    return false;
  }
}
