import { Provider, Type } from '@nestjs/common';
import { AuditMetrics } from '../audit-metrics';
import { AuditBatcher } from './audit-batcher';
import { AuditIngestConsumer } from './audit-ingest.consumer';
import { AuditWriter } from './audit-writer';
import { AuditDeadLettersController } from './dead-letters/audit-dead-letters.controller';

export const INGEST_PROVIDERS: Provider[] = [AuditMetrics, AuditWriter, AuditBatcher, AuditIngestConsumer];

export const INGEST_CONTROLLERS: Type[] = [AuditDeadLettersController];
