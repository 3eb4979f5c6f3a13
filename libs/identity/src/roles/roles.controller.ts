import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, CurrentUser, PermissionGuard, RequirePermission, UserPrincipal } from '@credence/access';
import { ApiErrors } from '@credence/http';
import { decodeCursor, PageQueryDto } from '@credence/http';
import { CreateRoleCommand } from './commands/create-role/create-role.command';
import { DeleteRoleCommand } from './commands/delete-role/delete-role.command';
import { UpdateRoleCommand } from './commands/update-role/update-role.command';
import { CreateRoleDto } from './dto/create-role.dto';
import { RoleResponse } from './dto/role.response';
import { UpdateRoleDto } from './dto/update-role.dto';
import { GetRoleQuery } from './queries/get-role/get-role.query';
import { ListRolesQuery } from './queries/list-roles/list-roles.query';
import { findRole, roleParam } from './role-row';
import { AuthorizationService } from '../authz/authorization.service';

/** A tenant's roles and their permissions; every route needs role.manage:any. */
@ApiTags('roles')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/roles')
@Authenticate('user')
@UseGuards(PermissionGuard)
@RequirePermission('role', 'manage')
@ApiErrors(400, 401, 403, 404, 409, 413, 415, 503)
export class RolesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly authz: AuthorizationService,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: RoleResponse })
  async create(@Body() dto: CreateRoleDto, @CurrentUser() me: UserPrincipal): Promise<RoleResponse> {
    await this.authz.assertMayGrant(me.userId, 'role', 'manage', async () => dto.permissions);
    return this.commands.execute(new CreateRoleCommand(me.tenantId, dto.name, dto.description ?? '', dto.permissions));
  }

  @Get()
  @ApiOkResponse({ description: '{"data": [Role], "meta": {"next_cursor": ...}}' })
  list(@Query() page: PageQueryDto, @CurrentUser() me: UserPrincipal) {
    return this.queries.execute(new ListRolesQuery(me.tenantId, page.limit, decodeCursor(page.cursor)));
  }

  @Get(':role')
  @ApiParam({ name: 'role', description: 'Role name or id' })
  @ApiOkResponse({ type: RoleResponse })
  get(@Param('role') role: string, @CurrentUser() me: UserPrincipal): Promise<RoleResponse> {
    return this.queries.execute(new GetRoleQuery(me.tenantId, roleParam(role)));
  }

  @Patch(':role')
  @ApiParam({ name: 'role', description: 'Role name or id' })
  @ApiOkResponse({ type: RoleResponse, description: 'Built-in roles: 409 role.builtin for a new name or a default permission removed.' })
  async update(@Param('role') role: string, @Body() dto: UpdateRoleDto, @CurrentUser() me: UserPrincipal): Promise<RoleResponse> {
    // Only what the change adds is checked: editing a role above you is harmless unless it hands out more.
    if (dto.permissions) {
      const wanted = dto.permissions;
      await this.authz.assertMayGrant(me.userId, 'role', 'manage', async (uow) => {
        const current = await findRole(uow, roleParam(role));
        return wanted.filter((p) => !current?.permissions.includes(p));
      });
    }
    return this.commands.execute(new UpdateRoleCommand(me.tenantId, roleParam(role), { ...dto }));
  }

  @Delete(':role')
  @HttpCode(204)
  @ApiParam({ name: 'role', description: 'Role name or id' })
  @ApiNoContentResponse({ description: 'Deleted and taken from every user who held it. Built-in roles: 409 role.builtin.' })
  async remove(@Param('role') role: string, @CurrentUser() me: UserPrincipal): Promise<void> {
    await this.commands.execute(new DeleteRoleCommand(me.tenantId, roleParam(role)));
  }
}
