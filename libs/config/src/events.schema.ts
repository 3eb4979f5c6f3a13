import { z } from 'zod';
import { envBool as bool } from './env-bool';

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

/** Settings of event delivery (relay, transport, event store, identity RPC); part of configSchema. */
export const eventsSettings = {
  EVENTS_RELAY_ENABLED: bool.default(true),
  EVENTS_TRANSPORT: z.enum(['redis-streams', 'rmq', 'nats', 'kafka']).default('redis-streams'),
  /** Defaults to REDIS_URL for redis-streams; required for the others. */
  EVENTS_TRANSPORT_URL: z.string().min(1).optional(),
  EVENTS_RMQ_QUEUE: z.string().min(1).default('credence-events'),
  EVENTS_PARTITIONS: int(16, 1),
  EVENTS_STREAM_MAX_LEN: int(1_000_000, 1000),
  EVENTS_STREAM_MAX_AGE_SECONDS: int(7 * 24 * 3600, 60),
  EVENTS_RELAY_BATCH_SIZE: int(1000, 1),
  EVENTS_RELAY_POLL_MS: int(1000, 10),
  // Events committed during the window wait for it: a long one would hold delivery back.
  EVENTS_RELAY_BATCH_WINDOW_MS: z.coerce.number().int().min(0).max(5000).default(10),
  EVENTS_RELAY_LEADER_RETRY_MS: int(1000, 10),
  EVENTS_OUTBOX_KEEP_SECONDS: int(3600),
  EVENTS_STORE_RETENTION_DAYS: int(30, 1),
  EVENTS_MAINTENANCE_EVERY_SECONDS: int(60, 1),
  EVENTS_RPC_ENABLED: bool.default(true),
  EVENTS_RPC_GROUP: z
    .string()
    .regex(/^[a-z0-9:_-]{1,60}$/)
    .default('credence'),
};

export const EVENTS_SETTING_NAMES = Object.keys(eventsSettings) as (keyof typeof eventsSettings)[];
