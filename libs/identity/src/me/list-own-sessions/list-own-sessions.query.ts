import type { SESSION_STATUSES } from '../../sessions/dto/list-sessions.query';

export class ListOwnSessionsQuery {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    /** Marked `current: true` in the answer. */
    readonly currentSessionId: string,
    readonly status: (typeof SESSION_STATUSES)[number],
    readonly limit: number,
    readonly after: string | null,
  ) {}
}
