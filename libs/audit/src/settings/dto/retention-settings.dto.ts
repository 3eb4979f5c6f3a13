import { IntSetting } from './settings-fields';

/** PATCH /v1/t/{tenant}/settings/retention: keys given are changed, unknown keys are refused. */
export class RetentionSettingsDto {
  @IntSetting('session_anonymize_after_days', 'Sessions inactive this many days lose their address, user agent detail and location.')
  session_anonymize_after_days?: number | null;

  @IntSetting('session_delete_after_days', 'Sessions inactive this many days are deleted; not less than session_anonymize_after_days.')
  session_delete_after_days?: number | null;

  @IntSetting('audit_retention_days', 'Audit rows older than this many days are deleted (the chain keeps verifying from a checkpoint).')
  audit_retention_days?: number | null;

  @IntSetting('event_retention_days', "How many days the event store (replay API) keeps this tenant's events.")
  event_retention_days?: number | null;
}
