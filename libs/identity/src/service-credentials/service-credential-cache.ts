import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { DomainError } from '@credence/errors';
import { REDIS } from '@credence/redis';

export interface StoredCredential {
  id: string;
  clientId: string;
  /** SHA-256 of the secret, as the table stores it; the secret itself is never kept. */
  secretHash: Buffer;
  permissions: string[];
}

/**
 * Reloaded from the database at least this often even while the version is unchanged: that reload
 * is when last_used_at is written (at most once a minute per credential, as before), and it bounds
 * how long a change made behind the API's back (SQL by hand, a migration) goes unseen.
 */
const MAX_AGE_MS = 60_000;
const MAX_ENTRIES = 10_000;

/**
 * Service credentials as client authentication reads them, kept in memory per process and trusted
 * only while the tenant's credentials version in Redis is what it was when they were loaded. The
 * version is read in the same MGET as the failure blocks (see ServiceClientAuthenticator), so a hit
 * costs no SQL and one Redis round trip.
 *
 * Anything that narrows what a credential may do (revocation; rotation, deletion or a permission
 * change if they are ever added) must call `invalidate` after its commit: it puts a fresh random
 * version, and every process reloads on its next read. Versions are random, never counters, so a
 * Redis that lost its data cannot bring back an old version: with no version, nothing is served from
 * memory.
 */
@Injectable()
export class ServiceCredentialCache {
  private readonly entries = new Map<string, { credential: StoredCredential; version: string; loadedAt: number }>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  versionKey(tenantId: string): string {
    return `${this.config.REDIS_PREFIX}:service-credentials-version:${tenantId}`;
  }

  /** The credential if it was loaded under `version` less than a minute ago. */
  get(tenantId: string, clientId: string, version: string | null): StoredCredential | undefined {
    if (version === null) return undefined;
    const key = `${tenantId}:${clientId}`;
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.version === version && Date.now() - hit.loadedAt < MAX_AGE_MS) return hit.credential;
    this.entries.delete(key);
    return undefined;
  }

  /** `version` is the one read *before* the database, so a change committed in between is not hidden. */
  put(tenantId: string, credential: StoredCredential, version: string | null): void {
    if (version === null) {
      // First use of the tenant's credentials (or Redis lost the version): start one for the next reads.
      this.redis.set(this.versionKey(tenantId), randomUUID(), 'NX').catch(() => undefined);
      return;
    }
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(`${tenantId}:${credential.clientId}`, { credential, version, loadedAt: Date.now() });
  }

  /** After a committed change: this process drops its copies now, every other one on its next read. 503 with `message` when Redis cannot take it. */
  async invalidate(tenantId: string, message: string): Promise<void> {
    for (const key of this.entries.keys()) if (key.startsWith(`${tenantId}:`)) this.entries.delete(key);
    try {
      await this.redis.set(this.versionKey(tenantId), randomUUID());
    } catch {
      throw new DomainError('service.unavailable', message);
    }
  }
}
