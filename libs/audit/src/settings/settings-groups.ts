import { effectiveSettings, TenantSettings } from '@credence/tenancy';

export type SettingsGroup = 'retention' | 'security';

/** The tenant settings each route shows and changes. */
export const GROUP_KEYS = {
  retention: ['session_anonymize_after_days', 'session_delete_after_days', 'audit_retention_days', 'event_retention_days'],
  security: ['detect_failed_logins_per_account', 'detect_failed_logins_per_ip', 'detect_failed_login_window_seconds', 'detect_travel_window_seconds'],
} as const satisfies Record<SettingsGroup, readonly (keyof TenantSettings)[]>;

export interface SettingsResponse {
  /** The value in effect for each key: the tenant's own, or the platform default. */
  values: Record<string, number>;
  /** Keys the tenant has not set, whose value is the platform default. */
  defaults: string[];
}

export function responseOf(group: SettingsGroup, stored: TenantSettings | null | undefined): SettingsResponse {
  const values = effectiveSettings(stored);
  const own = stored ?? {};
  return {
    values: Object.fromEntries(GROUP_KEYS[group].map((k) => [k, values[k] as number])),
    defaults: GROUP_KEYS[group].filter((k) => !Object.hasOwn(own, k)),
  };
}
