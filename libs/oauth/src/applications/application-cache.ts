import { Inject, Injectable } from '@nestjs/common';
import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { REDIS } from '@credence/redis';
import { EventsCommitted } from '@credence/tenancy';

const MAX_ENTRIES = 10_000;

/**
 * Applications as the token endpoint reads them, kept in memory and trusted only while the tenant's
 * applications version in Redis is unchanged. Every committed change to an application (create,
 * update, delete, secret rotation) bumps that version, so every process drops its copies on its next
 * read: one Redis GET instead of a database transaction per client authentication, and a rotated
 * secret stops working everywhere as soon as the rotation has committed (give or take the bump itself).
 */
@Injectable()
export class ApplicationCache<T = unknown> {
  private readonly entries = new Map<string, { version: string; value: T }>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The tenant's current version, or undefined when Redis cannot say (then nothing is served from memory). */
  async version(tenantId: string): Promise<string | undefined> {
    try {
      return (await this.redis.get(this.key(tenantId))) ?? '0';
    } catch {
      return undefined;
    }
  }

  get(tenantId: string, clientId: string, version: string | undefined): T | undefined {
    if (version === undefined) return undefined;
    const hit = this.entries.get(`${tenantId}:${clientId}`);
    return hit?.version === version ? hit.value : undefined;
  }

  put(tenantId: string, clientId: string, version: string | undefined, value: T): void {
    if (version === undefined) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(`${tenantId}:${clientId}`, { version, value });
  }

  async bump(tenantId: string): Promise<void> {
    this.entries.forEach((_, k) => k.startsWith(`${tenantId}:`) && this.entries.delete(k));
    await this.redis.incr(this.key(tenantId));
  }

  private key(tenantId: string): string {
    return `${this.config.REDIS_PREFIX}:oauth:applications-version:${tenantId}`;
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
