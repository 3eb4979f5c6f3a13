import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, CurrentUser, PermissionGuard, RequirePermission, UserPrincipal } from '@credence/access';
import { ApiErrors, decodeCursor, PageQueryDto, uuidParam } from '@credence/http';
import { AuthorizationService } from '@credence/identity';
import { RotateSpCredentialsCommand } from './commands/rotate-sp-credentials/rotate-sp-credentials.command';
import { CreateConnectionCommand } from './commands/create-connection/create-connection.command';
import { DeleteConnectionCommand } from './commands/delete-connection/delete-connection.command';
import { ConnectionTestResult, TestConnectionCommand } from './commands/test-connection/test-connection.command';
import { UpdateConnectionCommand } from './commands/update-connection/update-connection.command';
import { ConnectionResponse } from './dto/connection.response';
import { CreateConnectionDto } from './dto/create-connection.dto';
import { UpdateConnectionDto } from './dto/update-connection.dto';
import { GetConnectionQuery } from './queries/get-connection/get-connection.query';
import { ListConnectionsQuery } from './queries/list-connections/list-connections.query';

const connectionId = uuidParam('connection.not_found');

/** The tenant's IdP connections (SAML, OIDC, LDAP); every route needs idp.manage:any. */
@ApiTags('connections')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/connections')
@Authenticate('user')
@UseGuards(PermissionGuard)
@RequirePermission('idp', 'manage')
@ApiErrors(400, 401, 403, 404, 409, 413, 415, 503)
export class ConnectionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly authz: AuthorizationService,
  ) {}

  @Post()
  @ApiCreatedResponse({
    type: ConnectionResponse,
    description: 'With the values the IdP admin needs (saml.sp_entity_id, saml.acs_url, oidc.redirect_uri, ...). Secrets are never returned.',
  })
  async create(@Body() dto: CreateConnectionDto, @CurrentUser() me: UserPrincipal): Promise<ConnectionResponse> {
    await this.assertMayHandOut(me, dto);
    return this.commands.execute(new CreateConnectionCommand(me.tenantId, dto));
  }

  @Get()
  @ApiOkResponse({ description: '{"data": [Connection], "meta": {"next_cursor": ...}}, oldest first.' })
  list(@Query() page: PageQueryDto, @CurrentUser() me: UserPrincipal) {
    return this.queries.execute(new ListConnectionsQuery(me.tenantId, page.limit, decodeCursor(page.cursor)));
  }

  @Get(':id')
  @ApiOkResponse({ type: ConnectionResponse })
  get(@Param('id', connectionId) id: string, @CurrentUser() me: UserPrincipal): Promise<ConnectionResponse> {
    return this.queries.execute(new GetConnectionQuery(me.tenantId, id));
  }

  @Patch(':id')
  @ApiOkResponse({ type: ConnectionResponse })
  async update(@Param('id', connectionId) id: string, @Body() dto: UpdateConnectionDto, @CurrentUser() me: UserPrincipal): Promise<ConnectionResponse> {
    await this.assertMayHandOut(me, dto);
    return this.commands.execute(new UpdateConnectionCommand(me.tenantId, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted with its domains and identity links; users it brought stay.' })
  async remove(@Param('id', connectionId) id: string, @CurrentUser() me: UserPrincipal): Promise<void> {
    await this.commands.execute(new DeleteConnectionCommand(me.tenantId, id));
  }

  @Post(':id/saml/rotate-sp-keys')
  @HttpCode(200)
  @ApiOkResponse({
    type: ConnectionResponse,
    description: 'New SP signing and encryption certificates (SAML only). The previous encryption key still decrypts until the next rotation.',
  })
  rotateSpKeys(@Param('id', connectionId) id: string, @CurrentUser() me: UserPrincipal): Promise<ConnectionResponse> {
    return this.commands.execute(new RotateSpCredentialsCommand(me.tenantId, id));
  }

  /**
   * JIT's default roles and the group rules' roles are given to whoever signs in through the connection,
   * whose IdP the caller configures: naming a role is handing it out, so it needs every Credence permission
   * the role carries, as assigning it by hand does (a holder of idp.manage alone cannot make tenant admins).
   */
  private assertMayHandOut(me: UserPrincipal, dto: Pick<CreateConnectionDto, 'jit' | 'group_role_mapping'>): Promise<void> {
    const names = [...(dto.jit?.default_roles ?? []), ...(dto.group_role_mapping ?? []).map((r) => r.role)];
    return this.authz.assertMayHandOutRoles(me.userId, 'idp', 'manage', names);
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiOkResponse({ description: '{"ok": boolean, "checks": [{"name", "ok", "detail"}]}: what was tried and what failed. IdP trouble is a failed check, not an error.' })
  test(@Param('id', connectionId) id: string, @CurrentUser() me: UserPrincipal): Promise<ConnectionTestResult> {
    return this.commands.execute(new TestConnectionCommand(me.tenantId, id));
  }
}
