export class ChangeUserStatusCommand {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly change: 'disable' | 'enable',
    /** Who asks: acting on another user needs to outrank them (TargetRank). */
    readonly callerId: string,
  ) {}
}
