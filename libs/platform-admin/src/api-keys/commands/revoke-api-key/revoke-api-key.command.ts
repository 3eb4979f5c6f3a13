export class RevokeApiKeyCommand {
  constructor(
    readonly id: string,
    /** Scopes of the key making the request: it may revoke only keys whose scopes it holds. */
    readonly granterScopes: readonly string[],
  ) {}
}
