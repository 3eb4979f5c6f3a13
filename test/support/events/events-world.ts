import { Type } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { dropDatabase, ensureDatabase } from '@credence/database';
import { TenantTransactionRunner } from '@credence/tenancy';
import { PlatformAdminModule } from '@credence/platform-admin';
import { deleteKeysWithPrefix } from '@credence/redis';
import { startTestApp, TestApp } from '@credence/testing';

/**
 * A database and Redis prefix of the test file's own: the relay is one per database, and other test
 * files' apps run relays of their own on the shared test database.
 */
export interface EventsWorld {
  databaseUrl: string;
  prefix: string;
  redisUrl: string;
  redis: Redis;
  cleanup(): Promise<void>;
}

export const FAST_EVENTS_ENV: Record<string, string> = {
  EVENTS_PARTITIONS: '4',
  EVENTS_RELAY_POLL_MS: '200',
  EVENTS_RELAY_LEADER_RETRY_MS: '200',
};

export async function createEventsWorld(name: string, redisUrl = process.env.REDIS_URL ?? 'redis://localhost:6379'): Promise<EventsWorld> {
  const id = `${name}_${randomBytes(3).toString('hex')}`;
  const base = new URL(process.env.CREDENCE_TEST_DATABASE_URL!);
  base.pathname = `/${base.pathname.slice(1)}_${id}`.slice(0, 63);
  const databaseUrl = base.toString();
  await ensureDatabase(databaseUrl);
  const prefix = `${process.env.CREDENCE_TEST_REDIS_PREFIX}:${randomBytes(3).toString('hex')}`;
  const redis = new Redis(redisUrl);
  return {
    databaseUrl,
    prefix,
    redisUrl,
    redis,
    async cleanup() {
      await deleteKeysWithPrefix(redis, prefix);
      redis.disconnect();
      await dropDatabase(databaseUrl);
    },
  };
}

/** Sets the event delivery variables for apps built in this test file (jest gives each file its own process.env). */
export function useEventsEnv(env: Record<string, string>): void {
  Object.assign(process.env, FAST_EVENTS_ENV, env);
}

export function startWorldApp(
  world: EventsWorld,
  overrides: Record<string, string> = {},
  eventsEnv: Record<string, string> = {},
  features: Type[] = [PlatformAdminModule],
): Promise<TestApp> {
  // The events settings are read from process.env when the app is built; restore them afterwards.
  const saved = Object.fromEntries(Object.keys(eventsEnv).map((k) => [k, process.env[k]]));
  Object.assign(process.env, eventsEnv);
  const restore = () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  return startTestApp(features, { DATABASE_URL: world.databaseUrl, REDIS_PREFIX: world.prefix, REDIS_URL: world.redisUrl, ...overrides }).finally(restore);
}

/** Emits `count` tenant.updated events for one aggregate, one transaction each, under its actor lock. */
export async function emitSequence(app: TestApp, tenantId: string, aggregate: string, count: number, perTx = 1): Promise<string[]> {
  const runner = app.app.get(TenantTransactionRunner);
  const ids: string[] = [];
  for (let i = 0; i < count; i += perTx) {
    const batch = await runner.inPlatform(
      async (uow) => {
        for (let j = i; j < Math.min(count, i + perTx); j++) uow.emit('tenant.updated', aggregate, { tenant_id: tenantId, slug: 'bench', changed: [`seq:${j}`] }, tenantId);
        return uow.events.map((e) => e.envelope.id);
      },
      { locks: [{ key: `actor:${aggregate}` }] },
    );
    ids.push(...batch);
  }
  return ids;
}
