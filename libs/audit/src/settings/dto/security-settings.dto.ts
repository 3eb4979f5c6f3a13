import { IntSetting } from './settings-fields';

/** PATCH /v1/t/{tenant}/settings/security: the thresholds of security detection. */
export class SecuritySettingsDto {
  @IntSetting('detect_failed_logins_per_account', 'Failed logins for one account within the window that raise an incident.')
  detect_failed_logins_per_account?: number | null;

  @IntSetting('detect_failed_logins_per_ip', 'Failed logins from one IP, across accounts, within the window that raise an incident.')
  detect_failed_logins_per_ip?: number | null;

  @IntSetting('detect_failed_login_window_seconds', 'The window of the two failed-login rules, in seconds.')
  detect_failed_login_window_seconds?: number | null;

  @IntSetting('detect_travel_window_seconds', 'Logins of one user from two countries within this many seconds raise an incident.')
  detect_travel_window_seconds?: number | null;
}
