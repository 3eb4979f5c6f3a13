import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, CurrentUser, PermissionGuard, RequirePermission, UserPrincipal } from '@credence/access';
import { ApiErrors, decodeCursor, PageQueryDto, uuidParam } from '@credence/http';
import { CreateApplicationCommand } from './commands/create-application/create-application.command';
import { DeleteApplicationCommand } from './commands/delete-application/delete-application.command';
import { RotateApplicationSecretCommand } from './commands/rotate-application-secret/rotate-application-secret.command';
import { UpdateApplicationCommand } from './commands/update-application/update-application.command';
import { ApplicationResponse, ApplicationWithSecretResponse } from './dto/application.response';
import { CreateApplicationDto } from './dto/create-application.dto';
import { UpdateApplicationDto } from './dto/update-application.dto';
import { GetApplicationQuery } from './queries/get-application/get-application.query';
import { ListApplicationsQuery } from './queries/list-applications/list-applications.query';

const applicationId = uuidParam('application.not_found');

/** The tenant's applications (OAuth clients of its OpenID Provider); every route needs app.manage:any. */
@ApiTags('applications')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/applications')
@Authenticate('user')
@UseGuards(PermissionGuard)
@RequirePermission('app', 'manage')
@ApiErrors(400, 401, 403, 404, 409, 413, 415, 503)
export class ApplicationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: ApplicationWithSecretResponse, description: 'client_secret (confidential apps) is in this response once and never again.' })
  create(@Body() dto: CreateApplicationDto, @CurrentUser() me: UserPrincipal): Promise<ApplicationWithSecretResponse> {
    return this.commands.execute(
      new CreateApplicationCommand(
        me.tenantId,
        dto.name,
        dto.type,
        dto.redirect_uris,
        dto.post_logout_redirect_uris ?? [],
        dto.connections ?? null,
        dto.initiate_login_uri ?? null,
      ),
    );
  }

  @Get()
  @ApiOkResponse({ description: '{"data": [Application], "meta": {"next_cursor": ...}}, oldest first; secrets are never listed.' })
  list(@Query() page: PageQueryDto, @CurrentUser() me: UserPrincipal) {
    return this.queries.execute(new ListApplicationsQuery(me.tenantId, page.limit, decodeCursor(page.cursor)));
  }

  @Get(':id')
  @ApiOkResponse({ type: ApplicationResponse })
  get(@Param('id', applicationId) id: string, @CurrentUser() me: UserPrincipal): Promise<ApplicationResponse> {
    return this.queries.execute(new GetApplicationQuery(me.tenantId, id));
  }

  @Patch(':id')
  @ApiOkResponse({ type: ApplicationResponse })
  update(@Param('id', applicationId) id: string, @Body() dto: UpdateApplicationDto, @CurrentUser() me: UserPrincipal): Promise<ApplicationResponse> {
    return this.commands.execute(new UpdateApplicationCommand(me.tenantId, id, { ...dto }));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted: its client_id and secret stop working at once.' })
  async remove(@Param('id', applicationId) id: string, @CurrentUser() me: UserPrincipal): Promise<void> {
    await this.commands.execute(new DeleteApplicationCommand(me.tenantId, id));
  }

  @Post(':id/secret')
  @HttpCode(200)
  @ApiOkResponse({
    type: ApplicationWithSecretResponse,
    description: 'The new client_secret, shown once; the old one stops working at once. Public apps: 409 application.not_confidential.',
  })
  rotateSecret(@Param('id', applicationId) id: string, @CurrentUser() me: UserPrincipal): Promise<ApplicationWithSecretResponse> {
    return this.commands.execute(new RotateApplicationSecretCommand(me.tenantId, id));
  }
}
