import type Redis from 'ioredis';

const MAX_ENTRIES = 10_000;

/**
 * Values kept in this process and trusted only while their tenant's version in Redis is unchanged. A
 * committed change bumps the version (`bump`), so every process drops its copies on its next read: one
 * Redis GET instead of a database read. When Redis cannot say the version, nothing is served from memory.
 */
export class TenantVersionedCache<T> {
  private readonly entries = new Map<string, { version: string; value: T; at: number }>();

  /** `maxAgeMs`: a copy is also dropped after this long, whatever the version says. */
  constructor(
    private readonly redis: Redis,
    private readonly versionKey: (tenantId: string) => string,
    private readonly maxAgeMs = Number.POSITIVE_INFINITY,
  ) {}

  /** The tenant's current version, or undefined when Redis cannot say. */
  async version(tenantId: string): Promise<string | undefined> {
    try {
      return (await this.redis.get(this.versionKey(tenantId))) ?? '0';
    } catch {
      return undefined;
    }
  }

  get(tenantId: string, id: string, version: string | undefined): T | undefined {
    if (version === undefined) return undefined;
    const hit = this.entries.get(`${tenantId}:${id}`);
    return hit?.version === version && Date.now() - hit.at < this.maxAgeMs ? hit.value : undefined;
  }

  put(tenantId: string, id: string, version: string | undefined, value: T): void {
    if (version === undefined) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(`${tenantId}:${id}`, { version, value, at: Date.now() });
  }

  async bump(tenantId: string): Promise<void> {
    this.entries.forEach((_, k) => k.startsWith(`${tenantId}:`) && this.entries.delete(k));
    await this.redis.incr(this.versionKey(tenantId));
  }
}
