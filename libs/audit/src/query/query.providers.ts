import { Provider, Type } from '@nestjs/common';
import { AuditReadController } from './audit-read.controller';
import { AuditExporter } from './export-events/audit-exporter';
import { ListIncidentsHandler } from './incidents/list-incidents.handler';
import { ListAuditEventsHandler } from './list-events/list-events.handler';
import { PlatformAuditController } from './platform-audit.controller';
import { AuditReportHandler } from './report/report.handler';
import { AuditReadAccess } from './shared/read-access';
import { VerifyChainHandler } from './verify/verify-chain.handler';

export const QUERY_CONTROLLERS: Type[] = [AuditReadController, PlatformAuditController];
export const QUERY_PROVIDERS: Provider[] = [AuditReadAccess, AuditExporter, ListAuditEventsHandler, AuditReportHandler, VerifyChainHandler, ListIncidentsHandler];
