import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { AdminScopes, Authenticate, PermissionGuard, RequirePermission } from '@credence/access';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { ApiErrors } from '@credence/http';
import type { CredenceCloudEvent } from '@credence/contracts';
import { decodeSeq, encodeSeq, ReplayQueryDto } from './replay.query';

/**
 * A tenant's events in publication order from the event store, so a consumer that was away longer
 * than the streams keep can catch up, then continue from the transport. Deduplicate by `id`.
 *
 * Readers: the tenant's users holding `event.read:any` (tenant_admin by default), judged by the
 * permission engine on the roles stored now; and platform admins whose API key has `tenants:read`,
 * for any tenant.
 */
@ApiTags('events')
@ApiBearerAuth('bearer')
@Controller('v1/t/:tenant/events')
@Authenticate('platform_admin', 'user')
@AdminScopes('tenants:read')
@UseGuards(PermissionGuard)
@RequirePermission('event', 'read')
@ApiErrors(400, 401, 403, 404, 503)
export class ReplayController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly context: RequestContext,
  ) {}

  @Get()
  @ApiParam({ name: 'tenant', description: 'Tenant slug' })
  @ApiOkResponse({ description: '{"data": [CloudEvent], "meta": {"next_cursor": "...", "has_more": false}}: keep next_cursor to poll again later' })
  async replay(@Param('tenant') _tenant: string, @Query() q: ReplayQueryDto) {
    const tenant = this.context.tenant;
    if (!tenant) throw new DomainError('tenant.context_missing');
    const params: unknown[] = [tenant.id, decodeSeq(q.after, tenant.id), q.limit + 1];
    let filter = '';
    if (q.types) {
      params.push(q.types.split(','));
      filter = 'AND e.type = ANY($4::text[])';
    }
    const rows: { seq: string; event: CredenceCloudEvent }[] = await this.dataSource.query(
      // ORDER BY e.seq, not the text alias: '10' sorts before '9'.
      `SELECT e.seq::text AS seq, e.event FROM platform.event_store e WHERE e.tenant_id = $1 AND e.seq > $2::bigint ${filter} ORDER BY e.seq LIMIT $3`,
      params,
    );
    const more = rows.length > q.limit;
    const shown = more ? rows.slice(0, q.limit) : rows;
    return { data: shown.map((r) => r.event), meta: { next_cursor: shown.length ? encodeSeq(tenant.id, shown[shown.length - 1].seq) : (q.after ?? null), has_more: more } };
  }
}
