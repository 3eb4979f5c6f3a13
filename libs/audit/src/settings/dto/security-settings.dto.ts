import { DEFAULT_TENANT_SETTINGS as D } from '@credence/tenancy';
import { IntSetting } from './settings-fields';

/** PATCH /v1/t/{tenant}/settings/security: the thresholds of security detection. */
export class SecuritySettingsDto {
  @IntSetting(2, 1000, D.detect_failed_logins_per_account, 'Failed logins for one account within the window that raise an incident.')
  detect_failed_logins_per_account?: number | null;

  @IntSetting(2, 100_000, D.detect_failed_logins_per_ip, 'Failed logins from one IP, across accounts, within the window that raise an incident.')
  detect_failed_logins_per_ip?: number | null;

  @IntSetting(60, 86_400, D.detect_failed_login_window_seconds, 'The window of the two failed-login rules, in seconds.')
  detect_failed_login_window_seconds?: number | null;

  @IntSetting(60, 86_400, D.detect_travel_window_seconds, 'Logins of one user from two countries within this many seconds raise an incident.')
  detect_travel_window_seconds?: number | null;
}
