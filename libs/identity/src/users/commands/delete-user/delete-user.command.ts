export class DeleteUserCommand {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    /** Who asks: acting on another user needs to outrank them (TargetRank). */
    readonly callerId: string,
  ) {}
}
