import type { SettingsGroup } from '../../settings-groups';

export class GetSettingsQuery {
  constructor(
    readonly tenantId: string,
    readonly group: SettingsGroup,
  ) {}
}
