import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminScopes, Authenticate } from '@credence/access';
import { DomainError } from '@credence/errors';
import { ApiErrors } from '@credence/http';
import { SLUG_PATTERN } from '@credence/platform-admin';
import { ListRunsQueryDto } from './dto/list-runs.query';
import { TriggerRunDto } from './dto/trigger-run.dto';
import { RetentionRunsReader } from './retention-runs.reader';
import { RetentionScheduler, TriggeredRun } from './retention-scheduler';

/** Platform admins: start a retention run, follow runs, see a tenant's last run. */
@ApiTags('platform admin: retention')
@ApiBearerAuth('bearer')
@Controller('v1/admin')
@Authenticate('platform_admin')
@ApiErrors(400, 401, 403, 404, 413, 415, 503)
export class RetentionAdminController {
  constructor(
    private readonly scheduler: RetentionScheduler,
    private readonly reader: RetentionRunsReader,
  ) {}

  @Post('retention/runs')
  @HttpCode(202)
  @AdminScopes('tenants:write')
  @ApiAcceptedResponse({ description: '{"run_id", "as_of", "tenant_ids", "platform"}: the sweep is queued; follow it with GET /v1/admin/retention/runs?run_id=...' })
  trigger(@Body() dto: TriggerRunDto): Promise<TriggeredRun> {
    return this.scheduler.trigger({ asOf: dto.as_of ? new Date(dto.as_of) : undefined, tenantIds: dto.tenant_ids, platform: dto.platform });
  }

  @Get('retention/runs')
  @AdminScopes('tenants:read')
  @ApiOkResponse({ description: '{"data": [RetentionRun], "meta": {"next_cursor": ...}}, newest first' })
  list(@Query() q: ListRunsQueryDto) {
    return this.reader.list({ tenantId: q.tenant_id, runId: q.run_id, status: q.status, latest: q.latest }, q.limit, q.cursor);
  }

  @Get('tenants/:slug/retention')
  @AdminScopes('tenants:read')
  @ApiParam({ name: 'slug' })
  @ApiOkResponse({ description: '{"tenant_id", "slug", "status", "policy", "last_run", "last_completed_run"}' })
  forTenant(@Param('slug') slug: string) {
    if (!SLUG_PATTERN.test(slug)) throw new DomainError('tenant.not_found');
    return this.reader.forTenant(slug);
  }
}
