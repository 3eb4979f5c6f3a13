import { AdminScope } from '../../../auth/admin-scopes';

export class CreateApiKeyCommand {
  constructor(
    readonly name: string,
    readonly scopes: AdminScope[],
    readonly expiresAt: Date | null,
    /** Scopes of the key making the request. */
    readonly granterScopes: readonly string[],
  ) {}
}
