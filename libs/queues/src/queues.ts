/** Every BullMQ queue of the platform, declared once. Each job name has exactly one handler. */
export const QUEUES = {
  tenantLifecycle: 'tenant-lifecycle',
  retention: 'retention',
} as const;

export const JOBS = {
  purgeTenant: 'purge-tenant',
  /** Repeatable: fans out one retentionTenant job per tenant plus one retentionPlatform job. */
  retentionSweep: 'retention-sweep',
  retentionTenant: 'retention-tenant',
  retentionPlatform: 'retention-platform',
} as const;

export interface PurgeTenantJob {
  tenantId: string;
}

export interface RetentionTenantJob {
  runId: string;
  tenantId: string;
}

export interface RetentionPlatformJob {
  runId: string;
}
