export class ChangeUserStatusCommand {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly change: 'disable' | 'enable',
  ) {}
}
