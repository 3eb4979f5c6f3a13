import type { AdminScope } from '@credence/access';

export class CreateApiKeyCommand {
  constructor(
    readonly name: string,
    readonly scopes: AdminScope[],
    readonly expiresAt: Date | null,
    /** The key making the request: a new key cannot hold more scopes, or live longer, than it. */
    readonly granter: { scopes: readonly string[]; expiresAt: Date | null },
  ) {}
}
