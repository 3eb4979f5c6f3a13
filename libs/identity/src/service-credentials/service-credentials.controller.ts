import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, CurrentUser, PermissionGuard, RequirePermission, UserPrincipal } from '@credence/access';
import { ApiErrors, decodeCursor, PageQueryDto, uuidParam } from '@credence/http';
import { CreateServiceCredentialCommand } from './commands/create-service-credential/create-service-credential.command';
import { RevokeServiceCredentialCommand } from './commands/revoke-service-credential/revoke-service-credential.command';
import { CreateServiceCredentialDto } from './dto/create-service-credential.dto';
import { CreatedServiceCredentialResponse, ServiceCredentialResponse } from './dto/service-credential.response';
import { ListServiceCredentialsQuery } from './queries/list-service-credentials/list-service-credentials.query';
import { DEFAULT_SERVICE_PERMISSIONS } from './service-permissions';

const credentialId = uuidParam('service_credential.not_found');

/** Credentials that services authenticate with, each with its own permissions; managed by holders of service_credential.manage:any. */
@ApiTags('service credentials')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/service-credentials')
@Authenticate('user')
@UseGuards(PermissionGuard)
@RequirePermission('service_credential', 'manage')
@ApiErrors(400, 401, 403, 404, 413, 415, 503)
export class ServiceCredentialsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedServiceCredentialResponse, description: 'client_secret is in this response once and never again.' })
  create(@Body() dto: CreateServiceCredentialDto, @CurrentUser() me: UserPrincipal): Promise<CreatedServiceCredentialResponse> {
    return this.commands.execute(new CreateServiceCredentialCommand(me.tenantId, dto.name, dto.permissions ?? DEFAULT_SERVICE_PERMISSIONS));
  }

  @Get()
  @ApiOkResponse({ description: '{"data": [ServiceCredential], "meta": {"next_cursor": ...}}, oldest first; secrets are never listed.' })
  list(@Query() page: PageQueryDto, @CurrentUser() me: UserPrincipal) {
    return this.queries.execute(new ListServiceCredentialsQuery(me.tenantId, page.limit, decodeCursor(page.cursor)));
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOkResponse({ type: ServiceCredentialResponse, description: 'The credential, now revoked; it stops authenticating at once.' })
  revoke(@Param('id', credentialId) id: string, @CurrentUser() me: UserPrincipal): Promise<ServiceCredentialResponse> {
    return this.commands.execute(new RevokeServiceCredentialCommand(me.tenantId, id));
  }
}
