import type { ApplicationType } from '../../redirect-uris';

export class CreateApplicationCommand {
  constructor(
    readonly tenantId: string,
    readonly name: string,
    readonly type: ApplicationType,
    readonly redirectUris: string[],
    readonly postLogoutRedirectUris: string[],
    /** null: every connection of the tenant. */
    readonly connections: string[] | null,
    readonly initiateLoginUri: string | null = null,
  ) {}
}
