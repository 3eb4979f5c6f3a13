import { DomainError, ErrorDetail } from '@credence/errors';
import { COLOR_PATTERN, DEFAULT_TENANT_SETTINGS, isLogoUrl, LOCALE_PATTERN, LOGO_URL_MAX_LENGTH, TENANT_SETTING_LIMITS, TenantSettings } from '../tenant-settings';

type Values = Required<TenantSettings>;
type Key = keyof TenantSettings;

/** A rule across keys, on the values in effect (defaults filled in). Checked when a change names one of its keys. */
interface CrossKeyRule {
  keys: readonly Key[];
  /** The key a refusal names. */
  field: Key;
  holds(s: Values): boolean;
  issue(s: Values): string;
}

const CROSS_KEY_RULES: readonly CrossKeyRule[] = [
  {
    // Retention anonymises a session before it deletes it; deleting first would make anonymisation pointless.
    keys: ['session_anonymize_after_days', 'session_delete_after_days'],
    field: 'session_delete_after_days',
    holds: (s) => s.session_delete_after_days >= s.session_anonymize_after_days,
    issue: (s) => `session_delete_after_days (${s.session_delete_after_days}) must not be less than session_anonymize_after_days (${s.session_anonymize_after_days})`,
  },
];

/** The settings in effect: the tenant's own values (keys present but undefined do not count), the platform default for the rest. */
export function effectiveSettings(stored: TenantSettings | null | undefined): Values {
  const own = Object.entries(stored ?? {}).filter(([, value]) => value !== undefined);
  return { ...DEFAULT_TENANT_SETTINGS, ...Object.fromEntries(own) };
}

function limitIssue(key: string, value: unknown): string | undefined {
  if (!Object.hasOwn(DEFAULT_TENANT_SETTINGS, key)) return `${key} is not a tenant setting`;
  if (key === 'default_locale') return typeof value === 'string' && LOCALE_PATTERN.test(value) ? undefined : `${key} must be a BCP 47 language tag`;
  if (key === 'login_logo_url') return isLogoUrl(value) ? undefined : `${key} must be an https URL of at most ${LOGO_URL_MAX_LENGTH} characters, or '' for none`;
  if (key === 'login_primary_color') return typeof value === 'string' && COLOR_PATTERN.test(value) ? undefined : `${key} must be a colour like #1a73e8, or '' for the default`;
  const { min, max } = TENANT_SETTING_LIMITS[key as keyof typeof TENANT_SETTING_LIMITS];
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max ? undefined : `${key} must be an integer from ${min} to ${max}`;
}

/**
 * The checks every write of tenant settings goes through: each value set is a known key within its
 * limits, and every cross-key rule that names a changed key holds for the settings that would be
 * in effect. (A rule no change touches is left alone, so a policy stored before a rule existed
 * does not block unrelated changes.) `field` names a key as the route's body does ("settings.x").
 * Throws validation.failed with one detail per problem.
 */
export function assertValidSettings(next: TenantSettings, changed: readonly string[], field: (key: string) => string = (k) => k): void {
  const details: ErrorDetail[] = [];
  const values = next as Record<string, unknown>;
  for (const key of changed) {
    if (values[key] === undefined) continue; // removed: back to the default, which is within limits
    const issue = limitIssue(key, values[key]);
    if (issue) details.push({ field: field(key), issue });
  }
  if (!details.length) {
    const effective = effectiveSettings(next);
    for (const rule of CROSS_KEY_RULES) {
      if (rule.keys.some((k) => changed.includes(k)) && !rule.holds(effective)) details.push({ field: field(rule.field), issue: rule.issue(effective) });
    }
  }
  if (details.length) throw new DomainError('validation.failed', undefined, details);
}
