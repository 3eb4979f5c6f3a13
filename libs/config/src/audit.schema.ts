import { z } from 'zod';
import { envBool as bool } from './env-bool';

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

/** Settings of the audit app: ingest and retention workers; part of configSchema. */
export const auditSettings = {
  AUDIT_INGEST_ENABLED: bool.default(true),
  /** The consumer group the audit trail reads the event streams as. */
  AUDIT_CONSUMER_GROUP: z
    .string()
    .regex(/^[a-z0-9:_-]{1,60}$/)
    .default('credence-audit'),
  /** Most events written to one tenant's trail in one transaction. */
  AUDIT_INGEST_BATCH_SIZE: int(500, 1),
  RETENTION_ENABLED: bool.default(true),
  /** How often the retention sweep runs (a BullMQ job scheduler; one sweep across all processes). */
  RETENTION_EVERY_SECONDS: int(3600, 1),
  /** Rows changed per statement by a retention rule; a run commits after each batch. */
  RETENTION_BATCH_SIZE: int(5000, 1),
  /** Batches of one tenant's session rules run side by side (they skip each other's rows). */
  RETENTION_PARALLEL_BATCHES: int(2, 1),
};

export const AUDIT_SETTING_NAMES = Object.keys(auditSettings) as (keyof typeof auditSettings)[];
