import { Inject, Injectable } from '@nestjs/common';
import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { REDIS, TenantVersionedCache } from '@credence/redis';
import { EventsCommitted } from '@credence/tenancy';
import type { WebhookOwner } from '../scope/webhook-units';

/** What the fan-out needs of an enabled subscription. */
export interface Subscription {
  id: string;
  event_types: string[];
  exclude_fields: string[];
  include_fields: string[];
}

/** A copy is dropped after this long whatever the version says (a change made outside the API). */
const MAX_AGE_MS = 60_000;

/**
 * One scope's subscriptions and opened signing secrets, kept in memory and trusted only while the
 * owner's webhooks version in Redis is unchanged: the fan-out of an event costs one Redis GET instead
 * of a database transaction, and a delivery does not open its secrets again. Every committed change
 * to a webhook emits a `webhook.*` event, which bumps the version (WebhookChanges).
 */
@Injectable()
export class WebhookCache {
  private readonly cache: TenantVersionedCache<unknown>;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    this.cache = new TenantVersionedCache<unknown>(redis, (owner) => `${config.REDIS_PREFIX}:webhooks:version:${owner}`, MAX_AGE_MS);
  }

  async subscriptions(owner: WebhookOwner, load: () => Promise<Subscription[] | undefined>): Promise<Subscription[] | undefined> {
    const version = await this.cache.version(owner);
    const hit = this.cache.get(owner, 'subscriptions', version) as Subscription[] | undefined;
    if (hit) return hit;
    const subs = await load();
    if (subs) this.cache.put(owner, 'subscriptions', version, subs);
    return subs;
  }

  /** Opened secrets of one webhook, valid while its sealed bytes are the ones they were opened from. */
  secrets<T>(owner: WebhookOwner, webhookId: string, sealed: Buffer, open: () => T): T {
    const key = `secrets:${webhookId}`;
    const hit = this.cache.get(owner, key, 'sealed') as { sealed: Buffer; value: T } | undefined;
    if (hit && hit.sealed.equals(sealed)) return hit.value;
    const value = open();
    this.cache.put(owner, key, 'sealed', { sealed, value });
    return value;
  }

  bump(owner: WebhookOwner): Promise<void> {
    return this.cache.bump(owner);
  }
}

/** Bumps the version of every scope whose webhooks a committed unit of work changed. */
@EventsHandler(EventsCommitted)
export class WebhookChanges implements IEventHandler<EventsCommitted> {
  constructor(private readonly cache: WebhookCache) {}

  async handle(committed: EventsCommitted): Promise<void> {
    const owners = new Set(committed.events.filter((e) => e.type.startsWith('webhook.')).map((e) => e.tenantid));
    for (const owner of owners) await this.cache.bump(owner).catch(() => undefined);
  }
}
