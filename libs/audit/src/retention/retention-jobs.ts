import { randomBytes } from 'node:crypto';
import type { RetentionPlatformJob, RetentionTenantJob } from '@credence/queues';

/**
 * A sweep: the scheduler's (empty data: the run id and asOf come from its iteration time) or one
 * triggered by an operator, optionally for some tenants only, optionally without the platform part.
 */
export interface RetentionSweepJob {
  runId?: string;
  /** ISO 8601; never in the future. */
  asOf?: string;
  tenantIds?: string[];
  platform?: boolean;
}

/** Every job of a run carries the run's asOf: a retry measures its cutoffs from the same instant. */
export type TenantJobData = RetentionTenantJob & { asOf: string };
export type PlatformJobData = RetentionPlatformJob & { asOf: string };

/** BullMQ allows a custom job id with exactly two colons; run ids therefore never contain one. */
export const tenantJobId = (runId: string, tenantId: string) => `retention:${runId}:${tenantId}`;
export const platformJobId = (runId: string) => `retention:${runId}:platform`;
export const sweepJobId = (runId: string) => `sweep-${runId}`;
export const SCHEDULER_ID = 'retention-sweep';

/** "20250601T120000123Z": sortable, no colons. */
function stamp(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

/** A scheduled iteration's run id is derived from its time, so a retried sweep fans out the same job ids. */
export function scheduledRunId(at: Date): string {
  return `${stamp(at)}-s`;
}

export function manualRunId(at: Date): string {
  return `${stamp(at)}-${randomBytes(3).toString('hex')}`;
}

export const RUN_ID_PATTERN = /^[0-9]{8}T[0-9]{9}Z-[0-9a-z]{1,12}$/;
