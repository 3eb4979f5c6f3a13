/** Who the scheduled refresh acts as, in the events it records. */
export const METADATA_REFRESH_ACTOR = 'system:federation-metadata';

/** The one BullMQ job scheduler of the refresh, shared by every federation process. */
export const METADATA_SCHEDULER_ID = 'federation-metadata-sweep';

/**
 * A tenant's job id within one sweep: the same sweep retried adds nothing twice. BullMQ refuses
 * custom ids with colons (other than its own three-part form), and a scheduled sweep's id has them.
 */
export const tenantRefreshJobId = (sweepJobId: string, tenantId: string) => `fedmeta-${sweepJobId.replace(/:/g, '-')}-${tenantId}`;

/** Bounds a Redis call: with Redis out of reach BullMQ would wait forever. */
export async function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`queue did not answer in ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}
