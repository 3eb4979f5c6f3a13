import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBasicAuth, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, PermissionGuard, RequirePermission } from '@credence/access';
import { RequestContext } from '@credence/context';
import { ApiErrors, decodeCursor, LargeJsonBody, PageQueryDto } from '@credence/http';
import { GetRun } from './runs/get-run/get-run';
import { ListRuns } from './runs/list-runs/list-runs';
import { parseBatch, SubmitBatch, SYNC_BATCH_BODY_LIMIT_BYTES } from './runs/submit-batch/submit-batch';

/** Directory sources send batches of users; service credentials with sync.write or tenant admins. */
@ApiTags('sync')
@ApiBearerAuth('bearer')
@ApiBasicAuth()
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/sync')
@Authenticate('user', 'service')
@UseGuards(PermissionGuard)
@RequirePermission('sync', 'write')
@ApiErrors(400, 401, 403, 404, 413, 415, 503)
export class SyncController {
  constructor(
    private readonly context: RequestContext,
    private readonly submitBatch: SubmitBatch,
    private readonly getRun: GetRun,
    private readonly listRuns: ListRuns,
  ) {}

  @Post('users')
  @HttpCode(202)
  @LargeJsonBody(SYNC_BATCH_BODY_LIMIT_BYTES)
  @ApiAcceptedResponse({ description: '{"sync_id": "...", "status": "started"}: stored and queued; poll GET /sync/runs/{sync_id}. See docs/sync.md.' })
  submit(@Body() body: unknown) {
    const tenant = this.context.requireTenant();
    return this.submitBatch.submit(tenant.id, this.context.principal, parseBatch(body));
  }

  @Get('runs')
  @ApiOkResponse({ description: '{"data": [Run without errors], "meta": {"next_cursor": ...}}, newest first.' })
  list(@Query() page: PageQueryDto) {
    return this.listRuns.list(this.context.requireTenant().id, page.limit, decodeCursor(page.cursor));
  }

  @Get('runs/:id')
  @ApiOkResponse({ description: 'status, processed, failed, errors[{external_id, code, message}], counts and timings.' })
  get(@Param('id') id: string) {
    return this.getRun.get(this.context.requireTenant().id, id);
  }
}
