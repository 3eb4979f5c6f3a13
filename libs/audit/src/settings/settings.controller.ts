import { Body, Controller, Get, Patch, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, CurrentUser, PermissionGuard, RequirePermission, UserPrincipal } from '@credence/access';
import { ApiErrors } from '@credence/http';
import { UpdateSettingsCommand } from './commands/update-settings/update-settings.command';
import { RetentionSettingsDto } from './dto/retention-settings.dto';
import { SecuritySettingsDto } from './dto/security-settings.dto';
import { SettingsResponseDto } from './dto/settings.response';
import { GetSettingsQuery } from './queries/get-settings/get-settings.query';
import { SettingsResponse } from './settings-groups';

/** A tenant admin's own view of the retention policy and the security detection thresholds. */
@ApiTags('settings')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/settings')
@Authenticate('user')
@UseGuards(PermissionGuard)
@RequirePermission('settings', 'manage')
@ApiErrors(400, 401, 403, 404, 413, 415, 503)
export class SettingsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('retention')
  @ApiOkResponse({ type: SettingsResponseDto })
  getRetention(@CurrentUser() me: UserPrincipal): Promise<SettingsResponse> {
    return this.queries.execute(new GetSettingsQuery(me.tenantId, 'retention'));
  }

  @Patch('retention')
  @ApiOkResponse({ type: SettingsResponseDto })
  patchRetention(@Body() dto: RetentionSettingsDto, @CurrentUser() me: UserPrincipal): Promise<SettingsResponse> {
    return this.commands.execute(new UpdateSettingsCommand(me.tenantId, 'retention', { ...dto }));
  }

  @Get('security')
  @ApiOkResponse({ type: SettingsResponseDto })
  getSecurity(@CurrentUser() me: UserPrincipal): Promise<SettingsResponse> {
    return this.queries.execute(new GetSettingsQuery(me.tenantId, 'security'));
  }

  @Patch('security')
  @ApiOkResponse({ type: SettingsResponseDto })
  patchSecurity(@Body() dto: SecuritySettingsDto, @CurrentUser() me: UserPrincipal): Promise<SettingsResponse> {
    return this.commands.execute(new UpdateSettingsCommand(me.tenantId, 'security', { ...dto }));
  }
}
