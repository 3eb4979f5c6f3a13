import { Inject, Injectable } from '@nestjs/common';
import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { REDIS, TenantVersionedCache } from '@credence/redis';
import { EventsCommitted } from '@credence/tenancy';

/**
 * Applications as the token endpoint reads them, kept in memory and trusted only while the tenant's
 * applications version in Redis is unchanged. Every committed change to an application (create,
 * update, delete, secret rotation) bumps that version, so every process drops its copies on its next
 * read: one Redis GET instead of a database transaction per client authentication, and a rotated
 * secret stops working everywhere as soon as the rotation has committed (give or take the bump itself).
 */
@Injectable()
export class ApplicationCache<T = unknown> {
  private readonly cache: TenantVersionedCache<T>;
  /** The origins of the tenant's public apps (BrowserAppOrigins), under the same version. */
  private readonly origins: TenantVersionedCache<ReadonlySet<string>>;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    const versionKey = (tenantId: string) => `${config.REDIS_PREFIX}:oauth:applications-version:${tenantId}`;
    this.cache = new TenantVersionedCache<T>(redis, versionKey);
    this.origins = new TenantVersionedCache<ReadonlySet<string>>(redis, versionKey);
  }

  /** The tenant's current version, or undefined when Redis cannot say (then nothing is served from memory). */
  version(tenantId: string): Promise<string | undefined> {
    return this.cache.version(tenantId);
  }

  get(tenantId: string, clientId: string, version: string | undefined): T | undefined {
    return this.cache.get(tenantId, clientId, version);
  }

  put(tenantId: string, clientId: string, version: string | undefined, value: T): void {
    this.cache.put(tenantId, clientId, version, value);
  }

  originsOf(tenantId: string, version: string | undefined): ReadonlySet<string> | undefined {
    return this.origins.get(tenantId, 'public', version);
  }

  keepOrigins(tenantId: string, version: string | undefined, origins: ReadonlySet<string>): void {
    this.origins.put(tenantId, 'public', version, origins);
  }

  /** Every process's copies (applications and origins) are retired by the new version. */
  bump(tenantId: string): Promise<void> {
    return this.cache.bump(tenantId);
  }
}

/** Bumps the version of every tenant whose applications a committed unit of work changed. */
@EventsHandler(EventsCommitted)
export class ApplicationChanges implements IEventHandler<EventsCommitted> {
  constructor(private readonly cache: ApplicationCache) {}

  async handle(committed: EventsCommitted): Promise<void> {
    const tenants = new Set(committed.events.filter((e) => e.type.startsWith('application.')).map((e) => e.tenantid));
    for (const tenantId of tenants) await this.cache.bump(tenantId).catch(() => undefined);
  }
}
