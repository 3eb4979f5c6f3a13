export class ListApiKeysQuery {
  constructor(
    readonly limit: number,
    readonly after: string | null,
  ) {}
}
