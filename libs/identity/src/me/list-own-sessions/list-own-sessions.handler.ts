import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Page, pageOf } from '@credence/http';
import { TenantTransactionRunner } from '@credence/tenancy';
import { SESSION_COLUMNS, SessionRow, statusCondition, toSessionResponse } from '../../sessions/dto/list-sessions.query';
import { ListOwnSessionsQuery } from './list-own-sessions.query';

/** The caller's sessions, newest first, in the same shape as GET /sessions. */
@QueryHandler(ListOwnSessionsQuery)
export class ListOwnSessionsHandler implements IQueryHandler<ListOwnSessionsQuery, Page<ReturnType<typeof toSessionResponse>>> {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async execute(q: ListOwnSessionsQuery) {
    this.runner.assertAmbientTenant(q.tenantId);
    const rows = await this.runner.queryInTenant<SessionRow[]>(
      `SELECT ${SESSION_COLUMNS} FROM auth_sessions s
          WHERE s.user_id = $1 AND ${statusCondition(q.status)} AND ($2::uuid IS NULL OR s.id < $2)
          ORDER BY s.id DESC LIMIT $3`,
      [q.userId, q.after, q.limit + 1],
    );
    return pageOf(rows, q.limit, (r) => toSessionResponse(r, q.currentSessionId));
  }
}
