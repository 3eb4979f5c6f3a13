import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { REDIS, TenantVersionedCache } from '@credence/redis';
import type { ScimDirectory } from './scim-directory';

/** What a token authenticates as: its directory and the directory's group → role mapping. */
export interface CachedDirectory {
  readonly id: string;
  /** Frozen: every request of the version shares it. */
  readonly groupRoleMapping: ScimDirectory['groupRoleMapping'];
}

/**
 * A copy is also dropped after a minute, whatever the version says: a rotation committed while Redis
 * was out of reach (the bump failed) followed by a Redis that lost its keys would otherwise be missed.
 */
const MAX_AGE_MS = 60_000;

/**
 * SCIM bearer tokens (by their SHA-256) as ScimTokenGuard reads them, kept in memory and trusted only
 * while the tenant's directories version in Redis is unchanged: one Redis GET instead of a database
 * transaction per SCIM request. A rotation or deletion bumps the version before it answers, so the old
 * token stops working in every process at once. Any other change to what is kept (a directory's
 * group_role_mapping, should it become editable) must bump too. Unknown tokens are never kept (a new
 * directory's token needs no bump, and guessing fills no memory).
 */
@Injectable()
export class DirectoryTokenCache {
  private readonly logger = new Logger(DirectoryTokenCache.name);
  private readonly cache: TenantVersionedCache<CachedDirectory>;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    this.cache = new TenantVersionedCache(redis, (tenantId) => `${config.REDIS_PREFIX}:scim:directories-version:${tenantId}`, MAX_AGE_MS);
  }

  version(tenantId: string): Promise<string | undefined> {
    return this.cache.version(tenantId);
  }

  get(tenantId: string, tokenHash: Buffer, version: string | undefined): CachedDirectory | undefined {
    return this.cache.get(tenantId, tokenHash.toString('base64url'), version);
  }

  put(tenantId: string, tokenHash: Buffer, version: string | undefined, directory: CachedDirectory): void {
    const mapping = Object.freeze(directory.groupRoleMapping.map((m) => Object.freeze({ group: m.group, role: m.role }))) as ScimDirectory['groupRoleMapping'];
    this.cache.put(tenantId, tokenHash.toString('base64url'), version, Object.freeze({ id: directory.id, groupRoleMapping: mapping }));
  }

  /**
   * After a committed rotation or deletion. This process drops its copies whatever happens; when Redis
   * cannot be told, other processes keep theirs until Redis answers again or MAX_AGE_MS has passed.
   */
  async bump(tenantId: string): Promise<void> {
    await this.cache
      .bump(tenantId)
      .catch((err: unknown) => this.logger.error({ err, tenant_id: tenantId }, 'directories version bump failed: other processes may accept the old token for up to a minute'));
  }
}
