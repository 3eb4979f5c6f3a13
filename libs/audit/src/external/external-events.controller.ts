import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiCreatedResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, CurrentService, PermissionGuard, RequirePermission, ServicePrincipal } from '@credence/access';
import { RequestContext } from '@credence/context';
import { ApiErrors } from '@credence/http';
import { RecordExternalEventCommand } from './commands/record-external-event/record-external-event.command';
import { ExternalEventResponse } from './dto/external-event.response';
import { RecordExternalEventDto } from './dto/record-external-event.dto';

/** Services write into the tenant's audit trail with a service credential holding audit.write. */
@ApiTags('audit')
@ApiBasicAuth()
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/audit')
@Authenticate('service')
@UseGuards(PermissionGuard)
@RequirePermission('audit', 'write')
@ApiErrors(400, 401, 403, 404, 413, 415, 429, 503)
export class ExternalEventsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly context: RequestContext,
  ) {}

  @Post('events')
  @ApiCreatedResponse({ type: ExternalEventResponse, description: 'Stored in the hash chain as external.<type>, source external:service_credential/<id>' })
  record(@Body() dto: RecordExternalEventDto, @CurrentService() service: ServicePrincipal): Promise<ExternalEventResponse> {
    const { type, actor, subject, action, outcome, details, occurred_at } = dto;
    return this.commands.execute(
      new RecordExternalEventCommand(this.context.requireTenant().id, service.credentialId, { type, actor, subject, action, outcome, details, occurred_at }),
    );
  }
}
