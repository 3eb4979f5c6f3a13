import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { attributesFromBody, Authenticate, CurrentDecision, CurrentUser, PermissionGuard, RequirePermission, userFromParam, UserPrincipal } from '@credence/access';
import { ApiErrors, uuidParam } from '@credence/http';
import type { AccessDecision } from '../authz/access-decision';
import { AuthorizationService } from '../authz/authorization.service';
import { AssignRoleCommand } from './commands/assign-role/assign-role.command';
import { ChangeUserStatusCommand } from './commands/change-user-status/change-user-status.command';
import { CreateUserCommand } from './commands/create-user/create-user.command';
import { DeleteUserCommand } from './commands/delete-user/delete-user.command';
import { RemoveRoleCommand } from './commands/remove-role/remove-role.command';
import { UpdateUserCommand } from './commands/update-user/update-user.command';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQueryDto } from './dto/list-users.query.dto';
import { decodeCursor } from '@credence/http';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserResponse } from './dto/user.response';
import { GetUserQuery } from './queries/get-user/get-user.query';
import { ListUsersQuery } from './queries/list-users/list-users.query';
import { findRole, roleParam } from '../roles/role-row';
import { clientInfo } from '../sessions/client-info';

type HttpRequest = { ip?: string; headers: Record<string, string | string[] | undefined> };

const userId = uuidParam('user.not_found');

/** A tenant's users, for callers whose roles grant user.* (and role.manage for role assignment). */
@ApiTags('users')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/users')
@Authenticate('user')
@UseGuards(PermissionGuard)
@ApiErrors(400, 401, 403, 404, 409, 413, 415, 503)
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly authz: AuthorizationService,
  ) {}

  @Post()
  @RequirePermission('user', 'create', { target: attributesFromBody })
  @ApiCreatedResponse({ type: UserResponse })
  create(@Body() dto: CreateUserDto, @CurrentUser() me: UserPrincipal): Promise<UserResponse> {
    const { email, username, display_name: displayName, phone, password, attributes } = dto;
    return this.commands.execute(new CreateUserCommand(me.tenantId, { email, username, displayName, phone, password, attributes }));
  }

  @Get()
  @RequirePermission('user', 'read', { narrowable: true })
  @ApiOkResponse({ description: '{"data": [User], "meta": {"next_cursor": ...}}; without user.read:any, only the users your scopes reach.' })
  list(@Query() q: ListUsersQueryDto, @CurrentUser() me: UserPrincipal, @CurrentDecision() access: AccessDecision) {
    const filter = { status: q.status, role: q.role, text: q.q };
    return this.queries.execute(new ListUsersQuery(me.tenantId, q.limit, decodeCursor(q.cursor), filter, access));
  }

  @Get(':id')
  @RequirePermission('user', 'read', { target: userFromParam() })
  @ApiOkResponse({ type: UserResponse })
  get(@Param('id', userId) id: string, @CurrentUser() me: UserPrincipal): Promise<UserResponse> {
    return this.queries.execute(new GetUserQuery(me.tenantId, id));
  }

  @Patch(':id')
  @RequirePermission('user', 'update', { target: userFromParam() })
  @ApiOkResponse({ type: UserResponse })
  async update(
    @Param('id', userId) id: string,
    @Body() dto: UpdateUserDto,
    @CurrentUser() me: UserPrincipal,
    @CurrentDecision() access: AccessDecision,
    @Req() req: HttpRequest,
  ) {
    await this.authz.assertScopedAttributesKept(access, 'user', 'update', dto.attributes);
    const { email, username, display_name: displayName, phone, password, current_password: currentPassword, attributes } = dto;
    return this.commands.execute(
      new UpdateUserCommand(
        me.tenantId,
        id,
        { email, username, displayName, phone, password, currentPassword, attributes },
        { userId: me.userId, sessionId: me.sessionId },
        clientInfo(req),
      ),
    );
  }

  @Post(':id/disable')
  @HttpCode(200)
  @RequirePermission('user', 'update', { target: userFromParam() })
  @ApiOkResponse({ type: UserResponse, description: 'The user, now disabled; their sessions are revoked.' })
  disable(@Param('id', userId) id: string, @CurrentUser() me: UserPrincipal): Promise<UserResponse> {
    return this.commands.execute(new ChangeUserStatusCommand(me.tenantId, id, 'disable', me.userId));
  }

  @Post(':id/enable')
  @HttpCode(200)
  @RequirePermission('user', 'update', { target: userFromParam() })
  @ApiOkResponse({ type: UserResponse })
  enable(@Param('id', userId) id: string, @CurrentUser() me: UserPrincipal): Promise<UserResponse> {
    return this.commands.execute(new ChangeUserStatusCommand(me.tenantId, id, 'enable', me.userId));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('user', 'delete', { target: userFromParam() })
  @ApiNoContentResponse({ description: 'Deleted, with their role assignments and sessions.' })
  async remove(@Param('id', userId) id: string, @CurrentUser() me: UserPrincipal): Promise<void> {
    await this.commands.execute(new DeleteUserCommand(me.tenantId, id, me.userId));
  }

  @Post(':id/roles/:role')
  @HttpCode(200)
  @RequirePermission('role', 'manage')
  @ApiParam({ name: 'role', description: 'Role name or id' })
  @ApiOkResponse({ type: UserResponse })
  async assignRole(@Param('id', userId) id: string, @Param('role') role: string, @CurrentUser() me: UserPrincipal): Promise<UserResponse> {
    await this.assertMayHandOut(me, roleParam(role));
    return this.commands.execute(new AssignRoleCommand(me.tenantId, id, roleParam(role), me.userId));
  }

  @Delete(':id/roles/:role')
  @HttpCode(200)
  @RequirePermission('role', 'manage')
  @ApiParam({ name: 'role', description: 'Role name or id' })
  @ApiOkResponse({ type: UserResponse })
  async removeRole(@Param('id', userId) id: string, @Param('role') role: string, @CurrentUser() me: UserPrincipal): Promise<UserResponse> {
    await this.assertMayHandOut(me, roleParam(role));
    return this.commands.execute(new RemoveRoleCommand(me.tenantId, id, roleParam(role), me.userId));
  }

  /** Giving or taking a role needs every Credence permission it carries (no self-promotion, no demoting those above you). */
  private assertMayHandOut(me: UserPrincipal, role: string): Promise<void> {
    return this.authz.assertMayGrant(me.userId, 'role', 'manage', async (uow) => {
      const row = await findRole(uow, role);
      return row ? this.authz.rolePermissions(uow, row) : [];
    });
  }
}
