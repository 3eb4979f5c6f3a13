export class ReissueInvitationCommand {
  constructor(
    readonly slug: string,
    readonly email: string,
  ) {}
}
