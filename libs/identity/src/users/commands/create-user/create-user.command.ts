export interface NewUser {
  email: string;
  username?: string;
  displayName?: string;
  phone?: string;
  password?: string;
  attributes?: Record<string, string | number | boolean>;
}

export class CreateUserCommand {
  constructor(
    readonly tenantId: string,
    readonly user: NewUser,
  ) {}
}
