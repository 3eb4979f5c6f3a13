import { DEFAULT_TENANT_SETTINGS as D } from '@credence/tenancy';
import { IntSetting } from './settings-fields';

/** PATCH /v1/t/{tenant}/settings/retention: keys given are changed, unknown keys are refused. */
export class RetentionSettingsDto {
  @IntSetting(1, 3650, D.session_anonymize_after_days, 'Sessions inactive this many days lose their address, user agent detail and location.')
  session_anonymize_after_days?: number | null;

  @IntSetting(1, 3650, D.session_delete_after_days, 'Sessions inactive this many days are deleted; not less than session_anonymize_after_days.')
  session_delete_after_days?: number | null;

  @IntSetting(365, 3650, D.audit_retention_days, 'Audit rows older than this many days are deleted (the chain keeps verifying from a checkpoint).')
  audit_retention_days?: number | null;

  @IntSetting(1, 365, D.event_retention_days, "How many days the event store (replay API) keeps this tenant's events.")
  event_retention_days?: number | null;
}
