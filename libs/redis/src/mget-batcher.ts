import type Redis from 'ioredis';

const MAX_KEYS_PER_MGET = 512;

/**
 * GETs of many callers in one MGET: reads asked for in the same turn of the event loop (all the
 * requests one poll phase read) share one command, one socket write and one round trip. A failed
 * MGET fails every read in it.
 */
export class MgetBatcher {
  private pending: { keys: string[]; resolve: (values: (string | null)[]) => void; reject: (err: unknown) => void }[] = [];
  private keyCount = 0;

  constructor(private readonly redis: Redis) {}

  get(keys: string[]): Promise<(string | null)[]> {
    return new Promise((resolve, reject) => {
      if (!this.pending.length) setImmediate(() => void this.flush());
      this.pending.push({ keys, resolve, reject });
      this.keyCount += keys.length;
      if (this.keyCount >= MAX_KEYS_PER_MGET) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    if (!batch.length) return;
    this.pending = [];
    this.keyCount = 0;
    let values: (string | null)[];
    try {
      values = await this.redis.mget(batch.flatMap((r) => r.keys));
    } catch (err) {
      for (const r of batch) r.reject(err);
      return;
    }
    let at = 0;
    for (const r of batch) {
      r.resolve(values.slice(at, at + r.keys.length));
      at += r.keys.length;
    }
  }
}
