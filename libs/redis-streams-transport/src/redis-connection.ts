import Redis, { RedisOptions } from 'ioredis';

/**
 * A connection for the transport. Commands fail after one retry instead of waiting forever, so a
 * publisher sees a Redis outage as an error (and retries the batch) rather than hanging.
 */
export function transportConnection(url: string, name: string, extra: RedisOptions = {}): Redis {
  const redis = new Redis(url, { connectionName: name, maxRetriesPerRequest: 1, enableAutoPipelining: true, ...extra });
  redis.on('error', () => undefined); // ioredis reconnects by itself; callers see failed commands
  return redis;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** True when `work` settles successfully within `ms`; false when it fails or takes longer (it is not cancelled). */
export async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * QUIT, waiting at most `graceMs` for Redis to answer it, then drop the socket. A stalled Redis never
 * answers QUIT, and a bare quit() would hold shutdown for as long as the stall lasts.
 */
export async function closeConnection(redis: Redis, graceMs = 500): Promise<void> {
  await within(redis.quit(), graceMs);
  redis.disconnect();
}

export function isNoGroup(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOGROUP');
}

/** Creates the group at `start` (and the stream) unless it exists. */
export async function ensureGroup(redis: Redis, stream: string, group: string, start: string): Promise<void> {
  try {
    await redis.xgroup('CREATE', stream, group, start, 'MKSTREAM');
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('BUSYGROUP')) throw err;
  }
}
