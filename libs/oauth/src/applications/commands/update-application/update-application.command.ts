export interface ApplicationChanges {
  name?: string;
  redirect_uris?: string[];
  post_logout_redirect_uris?: string[];
  /** null: every connection of the tenant. */
  connections?: string[] | null;
  /** null: none. */
  initiate_login_uri?: string | null;
}

export class UpdateApplicationCommand {
  constructor(
    readonly tenantId: string,
    readonly id: string,
    readonly changes: ApplicationChanges,
  ) {}
}
