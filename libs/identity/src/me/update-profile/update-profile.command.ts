/** A signed-in user changes their own profile (PATCH /me). */
export class UpdateProfileCommand {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    /** null clears it; undefined leaves it. */
    readonly displayName: string | null | undefined,
  ) {}
}
