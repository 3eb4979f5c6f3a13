import type { AccessDecision } from '../../../authz/access-decision';
import type { UserStatus } from '../../dto/user.response';

export interface UserFilter {
  status?: UserStatus;
  role?: string;
  text?: string;
}

export class ListUsersQuery {
  constructor(
    readonly tenantId: string,
    readonly limit: number,
    readonly after: string | null,
    readonly filter: UserFilter,
    /** The caller's access: without `:any`, only users their scopes reach are listed. */
    readonly access: Pick<AccessDecision, 'scopes' | 'subject'>,
  ) {}
}
