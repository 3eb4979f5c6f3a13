import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags, OmitType } from '@nestjs/swagger';
import { AdminScopes, Authenticate } from '@credence/access';
import { PLATFORM_TENANT_ID } from '@credence/contracts';
import { ApiErrors, Page } from '@credence/http';
import { AuditExporter } from './export-events/audit-exporter';
import { ExportAuditEventsQueryDto } from './export-events/export-events.query.dto';
import { ListAuditEventsQuery } from './list-events/list-events.query';
import { ListAuditEventsQueryDto } from './list-events/list-events.query.dto';
import { AuditEvent } from './shared/audit-event';
import { assertPeriod, filterOf } from './shared/audit-filters.dto';
import { decodeEventCursor } from './shared/event-cursor';
import { AuditReadAccess } from './shared/read-access';
import { PLATFORM_TRAIL } from '../trail/trail-tables';
import { ChainVerification } from './verify/chain-verification';
import { VerifyChainQuery } from './verify/verify-chain.query';

/**
 * The platform trail's events concern no user account and carry no client address (platform API
 * keys, tenant lifecycle, reads of this trail), so `user_id` and `ip` are not filters here.
 */
const NOT_PLATFORM_FILTERS = ['user_id', 'ip'] as const;

export class PlatformAuditEventsQueryDto extends OmitType(ListAuditEventsQueryDto, NOT_PLATFORM_FILTERS) {}
export class PlatformAuditExportQueryDto extends OmitType(ExportAuditEventsQueryDto, NOT_PLATFORM_FILTERS) {}

/**
 * The platform trail (platform.platform_audit_*) for platform admins with `tenants:read`: the same
 * list, export and verification as a tenant's trail, through the same handlers. Admins operate the
 * platform and see personal fields unmasked. Every read records audit.log.accessed (actor
 * `platform-admin:<key id>`, subject `audit/platform`) in the platform trail before it answers.
 */
@ApiTags('platform admin: audit')
@ApiBearerAuth('bearer')
@Controller('v1/admin/audit')
@Authenticate('platform_admin')
@AdminScopes('tenants:read')
@ApiErrors(400, 401, 403, 503)
export class PlatformAuditController {
  constructor(
    private readonly queries: QueryBus,
    private readonly access: AuditReadAccess,
    private readonly exporter: AuditExporter,
  ) {}

  @Get('events')
  @ApiOkResponse({ description: '{"data": [AuditEvent], "meta": {"next_cursor": ...}}, newest first', type: AuditEvent, isArray: true })
  async list(@Query() q: PlatformAuditEventsQueryDto): Promise<Page<AuditEvent>> {
    assertPeriod(q);
    const after = decodeEventCursor(q.cursor);
    const { personal } = await this.access.openPlatform('query', q);
    return this.queries.execute(new ListAuditEventsQuery(PLATFORM_TENANT_ID, filterOf(q), q.limit, after, personal, PLATFORM_TRAIL));
  }

  @Get('export')
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({ description: 'Every matching event of the platform trail, oldest first, streamed as NDJSON (one AuditEvent per line) or CSV (header row)' })
  async export(@Query() q: PlatformAuditExportQueryDto): Promise<StreamableFile> {
    assertPeriod(q);
    const { personal } = await this.access.openPlatform('export', q);
    return this.exporter.open(PLATFORM_TENANT_ID, filterOf(q), q.format, personal, PLATFORM_TRAIL);
  }

  @Get('verify')
  @ApiOkResponse({
    type: ChainVerification,
    description: 'Whether the platform hash chain verifies from its newest retention checkpoint to the head, and the first broken link',
  })
  async verify(): Promise<ChainVerification> {
    await this.access.openPlatform('verify', {});
    return this.queries.execute(new VerifyChainQuery(PLATFORM_TENANT_ID, PLATFORM_TRAIL));
  }
}
