import { Inject, Injectable } from '@nestjs/common';
import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { REDIS, TenantVersionedCache } from '@credence/redis';
import { EventsCommitted } from '@credence/tenancy';
import type { Connection } from './connection';

/**
 * A copy is also dropped after a minute, whatever the version says: a change committed while Redis was
 * out of reach (the bump failed) followed by a Redis that lost its keys would otherwise never be seen.
 */
const MAX_AGE_MS = 60_000;

/** Cached connections are shared by every request that reads them: frozen, so none can change another's. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * Connections as the sign-in paths read them (ACS, continue step, SLO, metadata, login start, OIDC
 * callback, LDAP sign-in), kept in memory and trusted only while the tenant's connections version in Redis
 * is unchanged. Every committed change to a connection (its `federation.connection.*` events, and any write
 * of the metadata refresh) bumps that version, so every process drops its copies on its next read: one
 * Redis GET instead of a database transaction per request.
 *
 * Secrets are never kept opened here. A sign-in that needs them (OIDC client secret, LDAP service
 * password) may keep the sealed column as stored (AES-256-GCM under the key-encryption key, bound to
 * tenant and connection), under the same version and age rules, and opens it at the moment of use: memory
 * then holds what the database holds at rest, a changed secret (a new version) is never served, and no
 * plaintext outlives the request that needed it.
 */
@Injectable()
export class ConnectionCache {
  private readonly cache: TenantVersionedCache<{ value: Connection | null; sealed?: Buffer | null }>;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    this.cache = new TenantVersionedCache(redis, (tenantId) => `${config.REDIS_PREFIX}:federation:connections-version:${tenantId}`, MAX_AGE_MS);
  }

  /** The tenant's current version, or undefined when Redis cannot say (then nothing is served from memory). */
  version(tenantId: string): Promise<string | undefined> {
    return this.cache.version(tenantId);
  }

  /** The connection (null: known not to exist) kept for this version; undefined when nothing is kept. */
  get(tenantId: string, id: string, version: string | undefined): Connection | null | undefined {
    return this.cache.get(tenantId, id, version)?.value;
  }

  /** The connection with its sealed secrets (null: none stored), kept for this version; undefined when the sealed value is not kept. */
  getSealed(tenantId: string, id: string, version: string | undefined): { value: Connection | null; sealed: Buffer | null } | undefined {
    const hit = this.cache.get(tenantId, id, version);
    if (!hit || hit.sealed === undefined) return undefined;
    // A copy: a caller can never alter the bytes another request will open.
    return { value: hit.value, sealed: hit.sealed && Buffer.from(hit.sealed) };
  }

  /** `sealed` left out: only the connection is kept (a later getSealed reads the database once more). */
  put(tenantId: string, id: string, version: string | undefined, value: Connection | null, sealed?: Buffer | null): void {
    this.cache.put(tenantId, id, version, { value: deepFreeze(value), sealed: sealed && Buffer.from(sealed) });
  }

  bump(tenantId: string): Promise<void> {
    return this.cache.bump(tenantId);
  }
}

/** Bumps the version of every tenant whose connections a committed unit of work changed. */
@EventsHandler(EventsCommitted)
export class ConnectionChanges implements IEventHandler<EventsCommitted> {
  constructor(private readonly cache: ConnectionCache) {}

  async handle(committed: EventsCommitted): Promise<void> {
    const tenants = new Set(committed.events.filter((e) => e.type.startsWith('federation.connection.')).map((e) => e.tenantid));
    for (const tenantId of tenants) await this.cache.bump(tenantId).catch(() => undefined);
  }
}
