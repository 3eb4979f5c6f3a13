import { Controller, Get, Query, StreamableFile, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Authenticate, CurrentUser, PermissionGuard, RequirePermission, UserPrincipal } from '@credence/access';
import { ApiErrors, Page } from '@credence/http';
import { AuditExporter } from './export-events/audit-exporter';
import { ExportAuditEventsQueryDto } from './export-events/export-events.query.dto';
import { AuditIncident } from './incidents/audit-incident';
import { decodeIncidentCursor } from './incidents/incident-cursor';
import { ListIncidentsQuery } from './incidents/list-incidents.query';
import { ListIncidentsQueryDto } from './incidents/list-incidents.query.dto';
import { ListAuditEventsQuery } from './list-events/list-events.query';
import { ListAuditEventsQueryDto } from './list-events/list-events.query.dto';
import { AuditReport } from './report/audit-report';
import { AuditReportQuery } from './report/report.query';
import { AuditReportQueryDto } from './report/report.query.dto';
import { AuditEvent } from './shared/audit-event';
import { assertPeriod, filterOf } from './shared/audit-filters.dto';
import { decodeEventCursor } from './shared/event-cursor';
import { AuditReadAccess } from './shared/read-access';
import { ChainVerification } from './verify/chain-verification';
import { VerifyChainQuery } from './verify/verify-chain.query';

/**
 * The tenant's audit trail for readers with audit.read:any (directors, tenant admins). Personal fields
 * are masked unless the reader also has audit.read_personal:any. Every read records audit.log.accessed
 * before it answers.
 */
@ApiTags('audit')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/audit')
@Authenticate('user')
@UseGuards(PermissionGuard)
@RequirePermission('audit', 'read')
@ApiErrors(400, 401, 403, 404, 503)
export class AuditReadController {
  constructor(
    private readonly queries: QueryBus,
    private readonly access: AuditReadAccess,
    private readonly exporter: AuditExporter,
  ) {}

  @Get('events')
  @ApiOkResponse({ description: '{"data": [AuditEvent], "meta": {"next_cursor": ...}}, newest first', type: AuditEvent, isArray: true })
  async list(@Query() q: ListAuditEventsQueryDto, @CurrentUser() me: UserPrincipal): Promise<Page<AuditEvent>> {
    assertPeriod(q);
    const after = decodeEventCursor(q.cursor);
    const { personal } = await this.access.open(me, 'query', q, { ipFilter: !!q.ip });
    return this.queries.execute(new ListAuditEventsQuery(me.tenantId, filterOf(q), q.limit, after, personal));
  }

  @Get('export')
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({ description: 'Every matching event, oldest first, streamed as NDJSON (one AuditEvent per line) or CSV (header row)' })
  async export(@Query() q: ExportAuditEventsQueryDto, @CurrentUser() me: UserPrincipal): Promise<StreamableFile> {
    assertPeriod(q);
    const { personal } = await this.access.open(me, 'export', q, { ipFilter: !!q.ip });
    return this.exporter.open(me.tenantId, filterOf(q), q.format, personal);
  }

  @Get('report')
  @ApiOkResponse({ type: AuditReport, description: 'Totals, failures, success rate, unique users, counts by type and by UTC day' })
  async report(@Query() q: AuditReportQueryDto, @CurrentUser() me: UserPrincipal): Promise<AuditReport> {
    assertPeriod(q);
    await this.access.open(me, 'report', q);
    return this.queries.execute(new AuditReportQuery(me.tenantId, q.from, q.to));
  }

  @Get('verify')
  @ApiOkResponse({ type: ChainVerification, description: 'Whether the hash chain verifies from the newest checkpoint to the head, and the first broken link' })
  async verify(@CurrentUser() me: UserPrincipal): Promise<ChainVerification> {
    await this.access.open(me, 'verify', {});
    return this.queries.execute(new VerifyChainQuery(me.tenantId));
  }

  @Get('incidents')
  @ApiOkResponse({ description: '{"data": [AuditIncident], "meta": {"next_cursor": ...}}, newest first', type: AuditIncident, isArray: true })
  async incidents(@Query() q: ListIncidentsQueryDto, @CurrentUser() me: UserPrincipal): Promise<Page<AuditIncident>> {
    const after = decodeIncidentCursor(q.cursor);
    const { personal } = await this.access.open(me, 'incidents', q);
    return this.queries.execute(new ListIncidentsQuery(me.tenantId, q.rule, q.limit, after, personal));
  }
}
