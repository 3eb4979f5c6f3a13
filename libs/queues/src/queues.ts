/** Every BullMQ queue of the platform, declared once. Each job name has exactly one handler. */
export const QUEUES = {
  tenantLifecycle: 'tenant-lifecycle',
} as const;

export const JOBS = {
  purgeTenant: 'purge-tenant',
} as const;

export interface PurgeTenantJob {
  tenantId: string;
}
