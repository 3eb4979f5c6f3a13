/**
 * Every BullMQ queue of the platform and its job names, declared once. A process that runs a
 * queue's worker must have exactly one `@OnJob` handler for each of its jobs, or it does not boot
 * (JobRegistry).
 */
export const QUEUES = {
  tenantLifecycle: 'tenant-lifecycle',
  retention: 'retention',
  federation: 'federation',
  sync: 'sync',
} as const;

export const JOBS = {
  purgeTenant: 'purge-tenant',
  /** Repeatable: fans out one retentionTenant job per tenant plus one retentionPlatform job. */
  retentionSweep: 'retention-sweep',
  retentionTenant: 'retention-tenant',
  retentionPlatform: 'retention-platform',
  /** Repeatable: fans out one federationMetadataTenant job per active tenant that has SAML connections. */
  federationMetadataSweep: 'federation-metadata-sweep',
  federationMetadataTenant: 'federation-metadata-tenant',
  /** One batch of POST /sync/users, processed in chunks; resumes at its stored position. */
  syncRun: 'sync-run',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export type JobName = (typeof JOBS)[keyof typeof JOBS];

/** Which queue each job is added to and handled on. */
export const QUEUE_JOBS: Record<QueueName, readonly JobName[]> = {
  [QUEUES.tenantLifecycle]: [JOBS.purgeTenant],
  [QUEUES.retention]: [JOBS.retentionSweep, JOBS.retentionTenant, JOBS.retentionPlatform],
  [QUEUES.federation]: [JOBS.federationMetadataSweep, JOBS.federationMetadataTenant],
  [QUEUES.sync]: [JOBS.syncRun],
};

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

export interface FederationMetadataTenantJob {
  tenantId: string;
}

export interface SyncRunJob {
  tenantId: string;
  syncId: string;
}
