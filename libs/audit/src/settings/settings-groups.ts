import { DomainError, ErrorDetail } from '@credence/errors';
import { DEFAULT_TENANT_SETTINGS, TenantSettings } from '@credence/tenancy';

export type SettingsGroup = 'retention' | 'security';
type Values = Required<TenantSettings>;

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

export function effective(stored: TenantSettings | null | undefined): Values {
  return { ...DEFAULT_TENANT_SETTINGS, ...(stored ?? {}) };
}

export function responseOf(group: SettingsGroup, stored: TenantSettings | null | undefined): SettingsResponse {
  const values = effective(stored);
  const own = stored ?? {};
  return {
    values: Object.fromEntries(GROUP_KEYS[group].map((k) => [k, values[k] as number])),
    defaults: GROUP_KEYS[group].filter((k) => !Object.hasOwn(own, k)),
  };
}

/** Rules across keys, checked on the values that would be in effect after the change. */
export function assertConsistent(group: SettingsGroup, next: Values): void {
  const details: ErrorDetail[] = [];
  if (group === 'retention' && next.session_delete_after_days < next.session_anonymize_after_days) {
    details.push({
      field: 'session_delete_after_days',
      issue: `session_delete_after_days (${next.session_delete_after_days}) must not be less than session_anonymize_after_days (${next.session_anonymize_after_days})`,
    });
  }
  if (details.length) throw new DomainError('validation.failed', undefined, details);
}
