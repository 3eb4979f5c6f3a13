import { Provider } from '@nestjs/common';
import { AuditMetrics } from '../audit-metrics';
import { AuditBatcher } from './audit-batcher';
import { AuditIngestConsumer } from './audit-ingest.consumer';
import { AuditWriter } from './audit-writer';
import { TenantDirectory } from './tenant-directory';

export const INGEST_PROVIDERS: Provider[] = [AuditMetrics, TenantDirectory, AuditWriter, AuditBatcher, AuditIngestConsumer];
