import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, PermissionGuard, RequirePermission } from '@credence/access';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { ApiErrors, decodeCursor } from '@credence/http';
import { ListConflictsQueryDto } from './conflicts/list-conflicts/list-conflicts.query.dto';
import { ListConflicts } from './conflicts/list-conflicts/list-conflicts';
import { ResolveConflictDto } from './conflicts/resolve-conflict/resolve-conflict.dto';
import { ResolveConflict } from './conflicts/resolve-conflict/resolve-conflict';
import { ListSources } from './sources/list-sources/list-sources';
import { PutSourceDto } from './sources/put-source/put-source.dto';
import { PutSource } from './sources/put-source/put-source';
import { SOURCE_PATTERN } from './sources/source-settings';

/** Sources' settings and the conflicts they raised: tenant admins (sync.manage:any). */
@ApiTags('sync')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/sync')
@Authenticate('user')
@UseGuards(PermissionGuard)
@RequirePermission('sync', 'manage')
@ApiErrors(400, 401, 403, 404, 409, 413, 415, 503)
export class SyncAdminController {
  constructor(
    private readonly context: RequestContext,
    private readonly putSource: PutSource,
    private readonly listSources: ListSources,
    private readonly listConflicts: ListConflicts,
    private readonly resolveConflict: ResolveConflict,
  ) {}

  @Put('sources/:source')
  @ApiOkResponse({ description: '{source, conflict_strategy, timestamp_tolerance_ms, max_disable_share}' })
  put(@Param('source') source: string, @Body() dto: PutSourceDto) {
    if (!SOURCE_PATTERN.test(source)) throw new DomainError('validation.failed', undefined, [{ field: 'source', issue: `source must match ${SOURCE_PATTERN.source}` }]);
    return this.putSource.put(this.context.requireTenant().id, source, dto);
  }

  @Get('sources')
  @ApiOkResponse({ description: '{"data": [{source, conflict_strategy, timestamp_tolerance_ms, max_disable_share}]}' })
  sources() {
    return this.listSources.list(this.context.requireTenant().id);
  }

  @Get('conflicts')
  @ApiOkResponse({ description: '{"data": [{id, source, external_id, user_id, field, source_value, credence_value, status, ...}], "meta": {"next_cursor": ...}}' })
  conflicts(@Query() q: ListConflictsQueryDto) {
    return this.listConflicts.list(this.context.requireTenant().id, q.status, q.limit, decodeCursor(q.cursor));
  }

  @Post('conflicts/:id/resolve')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The resolved conflict.' })
  resolve(@Param('id') id: string, @Body() dto: ResolveConflictDto) {
    return this.resolveConflict.resolve(this.context.requireTenant().id, id, dto.resolution, dto.data, this.context.principal);
  }
}
