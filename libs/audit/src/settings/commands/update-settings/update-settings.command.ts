import type { SettingsGroup } from '../../settings-groups';

/** Changes some of a tenant's own settings in one group; `null` removes the tenant's value (back to the default). */
export class UpdateSettingsCommand {
  constructor(
    readonly tenantId: string,
    readonly group: SettingsGroup,
    readonly changes: Record<string, number | null | undefined>,
  ) {}
}
