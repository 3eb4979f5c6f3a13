import { Controller, Delete, Get, HttpCode, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, CurrentDecision, CurrentUser, PermissionGuard, RequirePermission, UserPrincipal } from '@credence/access';
import { ApiErrors, decodeCursor, pageOf, uuidParam } from '@credence/http';
import { TenantTransactionRunner } from '@credence/tenancy';
import { AccessDecision } from '../authz/access-decision';
import { TargetRankGuard } from '../authz/target-rank.guard';
import { ListSessionsQueryDto, SESSION_COLUMNS, SessionRow, statusCondition, toSessionResponse } from './dto/list-sessions.query';
import { SessionLifecycle } from './session-lifecycle';
import { SessionOwnerGuard } from './session-owner.guard';

const notFound = uuidParam('session.not_found');

/** Which users' sessions a decision covers: everyone (:any), a department (:department), or the caller (:self). */
function visibility(decision: AccessDecision, callerId: string): { sql: string; params: unknown[] } {
  if (decision.scopes.includes('any')) return { sql: 'true', params: [] };
  const own = { sql: 's.user_id = $USER', params: [callerId] };
  const department = decision.subject?.attributes?.department;
  if (decision.scopes.includes('department') && typeof department === 'string') {
    return { sql: "(s.user_id = $USER OR u.attributes->>'department' = $DEPT)", params: [callerId, department] };
  }
  return own;
}

@ApiTags('sessions')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/sessions')
@ApiErrors(400, 401, 403, 404, 503)
export class SessionsController {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly sessions: SessionLifecycle,
  ) {}

  @Get()
  @Authenticate('user')
  @UseGuards(PermissionGuard)
  @RequirePermission('session', 'read', { narrowable: true })
  @ApiOkResponse({ description: '{"data": [Session], "meta": {"next_cursor"}}: own sessions, or others\' with session.read:department/:any' })
  async list(@Param('tenant') _t: string, @Query() q: ListSessionsQueryDto, @CurrentUser() p: UserPrincipal, @CurrentDecision() decision: AccessDecision) {
    const scope = visibility(decision, p.userId);
    const params: unknown[] = [q.user_id ?? null, decodeCursor(q.cursor), q.limit + 1, ...scope.params];
    const where = scope.sql.replace('$USER', '$4').replace('$DEPT', '$5');
    const rows = await this.runner.queryInTenant<SessionRow[]>(
      `SELECT ${SESSION_COLUMNS} FROM auth_sessions s JOIN users u ON u.id = s.user_id
          WHERE ($1::uuid IS NULL OR s.user_id = $1) AND ${statusCondition(q.status ?? 'active')} AND ($2::uuid IS NULL OR s.id < $2) AND ${where}
          ORDER BY s.id DESC LIMIT $3`,
      params,
    );
    return pageOf(rows, q.limit, (r) => toSessionResponse(r, p.sessionId));
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticate('user')
  @UseGuards(SessionOwnerGuard, PermissionGuard, TargetRankGuard)
  @RequirePermission('session', 'revoke', { target: (req) => ({ userId: (req as { sessionOwner?: string }).sessionOwner }) })
  @ApiParam({ name: 'id', description: 'Session id' })
  async revoke(@Param('tenant') _t: string, @Param('id', notFound) id: string, @CurrentUser() p: UserPrincipal): Promise<void> {
    // Revoking a session that is already over is a no-op (204), like RFC 7009 revocation.
    await this.sessions.revokeSession(id, p.sessionId === id ? 'logout' : 'revoked_by_user');
  }
}
