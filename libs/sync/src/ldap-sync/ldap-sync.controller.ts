import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, PermissionGuard, RequirePermission } from '@credence/access';
import { RequestContext } from '@credence/context';
import { ApiErrors } from '@credence/http';
import { LdapSyncSettings, parseSchedule, parseStart } from './schedule/ldap-sync-settings';
import { StartLdapSync } from './start-ldap-sync/start-ldap-sync';

/** LDAP directory sync of a connection (docs/sync.md, "LDAP directory sync"): tenant admins (sync.manage:any). */
@ApiTags('sync')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/connections/:id/sync')
@Authenticate('user')
@UseGuards(PermissionGuard)
@RequirePermission('sync', 'manage')
@ApiErrors(400, 401, 403, 404, 409, 413, 415, 503)
export class LdapSyncController {
  constructor(
    private readonly context: RequestContext,
    private readonly startSync: StartLdapSync,
    private readonly settings: LdapSyncSettings,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiAcceptedResponse({ description: '{"sync_id", "status": "started"}; {"mode": "full"|"incremental", "force"?}. Poll GET /sync/runs/{sync_id}.' })
  start(@Param('id') id: string, @Body() body: unknown) {
    const { mode, force } = parseStart(body);
    return this.startSync.start(this.context.requireTenant().id, id, mode, force, this.context.principal);
  }

  @Get()
  @ApiOkResponse({ description: '{connection_id, source, schedule: {enabled, interval_minutes, full_every_hours}, high_water, last_run_at, last_full_at, last_sync_id}' })
  get(@Param('id') id: string) {
    this.context.requireTenant();
    return this.settings.get(id);
  }

  @Put('schedule')
  @ApiOkResponse({ description: 'The same as GET, with the new schedule.' })
  schedule(@Param('id') id: string, @Body() body: unknown) {
    this.context.requireTenant();
    return this.settings.put(id, parseSchedule(body));
  }
}
