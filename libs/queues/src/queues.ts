/**
 * Every BullMQ queue of the platform and its job names, declared once. A process that runs a
 * queue's worker must have exactly one `@OnJob` handler for each of its jobs, or it does not boot
 * (JobRegistry).
 */
export const QUEUES = {
  tenantLifecycle: 'tenant-lifecycle',
  retention: 'retention',
  federation: 'federation',
  webhooks: 'webhooks',
  sync: 'sync',
} as const;

export const JOBS = {
  purgeTenant: 'purge-tenant',
  /** Tops up the pool of spare tenant schemas (repeatable, and queued after an onboarding took one). */
  refillTenantSpares: 'refill-tenant-spares',
  /** Repeatable: fans out one retentionTenant job per tenant plus one retentionPlatform job. */
  retentionSweep: 'retention-sweep',
  retentionTenant: 'retention-tenant',
  retentionPlatform: 'retention-platform',
  /** Repeatable: fans out one federationMetadataTenant job per active tenant that has SAML connections. */
  federationMetadataSweep: 'federation-metadata-sweep',
  federationMetadataTenant: 'federation-metadata-tenant',
  /** One delivery of one event to one webhook; retried on the schedule the job carries. */
  webhookDeliver: 'webhook-deliver',
  /** The first attempts of one event's deliveries in one scope; each that fails or must wait goes on as a webhookDeliver job. */
  webhookFirstAttempts: 'webhook-first-attempts',
  /** One batch of POST /sync/users, processed in chunks; resumes at its stored position. */
  syncRun: 'sync-run',
  /** One LDAP directory sync run of a connection (libs/sync), page by page; resumes after the ids it has done. */
  ldapSync: 'ldap-sync',
  /** Repeatable: starts the due runs of LDAP connections whose sync schedule is enabled. */
  ldapSyncSweep: 'ldap-sync-sweep',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export type JobName = (typeof JOBS)[keyof typeof JOBS];

/** Which queue each job is added to and handled on. */
export const QUEUE_JOBS: Record<QueueName, readonly JobName[]> = {
  [QUEUES.tenantLifecycle]: [JOBS.purgeTenant, JOBS.refillTenantSpares],
  [QUEUES.retention]: [JOBS.retentionSweep, JOBS.retentionTenant, JOBS.retentionPlatform],
  [QUEUES.federation]: [JOBS.federationMetadataSweep, JOBS.federationMetadataTenant],
  [QUEUES.webhooks]: [JOBS.webhookDeliver, JOBS.webhookFirstAttempts],
  [QUEUES.sync]: [JOBS.syncRun, JOBS.ldapSync, JOBS.ldapSyncSweep],
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

export interface WebhookDeliverJob {
  /** Whose webhook: the tenant's id, or `platform` for a platform admin's webhook. */
  tenantId: string;
  deliveryId: string;
  /** Milliseconds to wait before each retry (WEBHOOK_RETRY_SCHEDULE when the delivery was queued). */
  schedule: number[];
}

export interface WebhookFirstAttemptsJob {
  /** Whose webhooks: the tenant's id, or `platform`. */
  tenantId: string;
  deliveryIds: string[];
  /** WEBHOOK_RETRY_SCHEDULE when the deliveries were queued; a delivery that fails goes on with it. */
  schedule: number[];
}

export interface SyncRunJob {
  tenantId: string;
  syncId: string;
}
