export type StatusChange = 'suspend' | 'resume';

export class ChangeTenantStatusCommand {
  constructor(
    readonly slug: string,
    readonly change: StatusChange,
  ) {}
}
