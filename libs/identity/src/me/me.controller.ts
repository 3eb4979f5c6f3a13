import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, CurrentUser, PermissionGuard, RequirePermission, UserPrincipal } from '@credence/access';
import { ApiErrors, decodeCursor, uuidParam } from '@credence/http';
import { clientInfo } from '../sessions/client-info';
import { UserResponse } from '../users/dto/user.response';
import { GetUserQuery } from '../users/queries/get-user/get-user.query';
import { ChangePasswordCommand } from './change-password/change-password.command';
import { ChangePasswordDto } from './change-password/change-password.dto';
import { ListOwnSessionsQuery } from './list-own-sessions/list-own-sessions.query';
import { OwnSessionsQueryDto } from './list-own-sessions/own-sessions.query.dto';
import { ownRecord } from './own-record';
import { RevokeOwnSessionCommand } from './revoke-own-session/revoke-own-session.command';
import { UpdateProfileCommand } from './update-profile/update-profile.command';
import { UpdateProfileDto } from './update-profile/update-profile.dto';

type HttpRequest = { ip?: string; headers: Record<string, string | string[] | undefined> };

const sessionId = uuidParam('session.not_found');

/**
 * Self-service: the signed-in user's own profile, password and sessions. Each route is checked by the
 * permission engine against the caller's own record, so `:self` grants apply (the default tiers hold
 * them from guest and employee up); a user with no role can use none of them.
 */
@ApiTags('me')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/me')
@Authenticate('user')
@UseGuards(PermissionGuard)
@ApiErrors(400, 401, 403, 404, 413, 415, 503)
export class MeController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @RequirePermission('profile', 'read', { target: ownRecord })
  @ApiOkResponse({ type: UserResponse })
  get(@CurrentUser() me: UserPrincipal): Promise<UserResponse> {
    return this.queries.execute(new GetUserQuery(me.tenantId, me.userId));
  }

  @Patch()
  @RequirePermission('profile', 'update', { target: ownRecord })
  @ApiOkResponse({ type: UserResponse, description: 'The profile after the change; only display_name may be set here.' })
  update(@Body() dto: UpdateProfileDto, @CurrentUser() me: UserPrincipal): Promise<UserResponse> {
    return this.commands.execute(new UpdateProfileCommand(me.tenantId, me.userId, dto.display_name));
  }

  @Post('password')
  @HttpCode(204)
  @RequirePermission('profile', 'update', { target: ownRecord })
  @ApiNoContentResponse({ description: 'Changed; every other session of yours is revoked, this one stays.' })
  @ApiErrors(400, 401, 403, 404, 413, 415, 423, 503)
  async changePassword(@Body() dto: ChangePasswordDto, @CurrentUser() me: UserPrincipal, @Req() req: HttpRequest): Promise<void> {
    await this.commands.execute(new ChangePasswordCommand(me.tenantId, me.userId, me.sessionId, dto.current_password, dto.new_password, clientInfo(req)));
  }

  @Get('sessions')
  @RequirePermission('session', 'read', { target: ownRecord })
  @ApiOkResponse({ description: '{"data": [Session], "meta": {"next_cursor"}}: your own sessions, the current one marked' })
  sessions(@Query() q: OwnSessionsQueryDto, @CurrentUser() me: UserPrincipal) {
    return this.queries.execute(new ListOwnSessionsQuery(me.tenantId, me.userId, me.sessionId, q.status ?? 'active', q.limit, decodeCursor(q.cursor)));
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @RequirePermission('session', 'revoke', { target: ownRecord })
  @ApiParam({ name: 'id', description: 'Session id (one of yours)' })
  @ApiNoContentResponse({ description: 'Revoked; your current session is a logout.' })
  async revokeSession(@Param('id', sessionId) id: string, @CurrentUser() me: UserPrincipal): Promise<void> {
    await this.commands.execute(new RevokeOwnSessionCommand(me.tenantId, id, me));
  }
}
