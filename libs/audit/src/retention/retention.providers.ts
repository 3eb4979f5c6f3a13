import { Provider, Type } from '@nestjs/common';
import { PlatformRetention } from './platform-retention';
import { QueueDepthMetrics } from './queue-depth';
import { RetentionAdminController } from './retention-admin.controller';
import { RetentionRules } from './retention-rules';
import { RetentionRunsReader } from './retention-runs.reader';
import { RetentionScheduler } from './retention-scheduler';
import { RetentionSweep } from './retention-sweep';
import { RetentionProcessor } from './retention.processor';
import { PlatformAuditTrailRetention, TenantAuditTrailRetention } from './rules/audit-trail.rules';
import { RetentionRunHistory } from './rules/run-history.rule';
import { TenantRetention } from './tenant-retention';

export const RETENTION_CONTROLLERS: Type[] = [RetentionAdminController];
export const RETENTION_PROVIDERS: Provider[] = [
  TenantRetention,
  PlatformRetention,
  RetentionSweep,
  RetentionProcessor,
  RetentionScheduler,
  RetentionRunsReader,
  QueueDepthMetrics,
  RetentionRules,
  // The audit lib's own retention rules; other libs register theirs in their modules.
  TenantAuditTrailRetention,
  PlatformAuditTrailRetention,
  RetentionRunHistory,
];
