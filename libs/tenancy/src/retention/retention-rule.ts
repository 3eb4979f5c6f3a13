import { DiscoveryService } from '@nestjs/core';
import type { TenantSettings } from '../tenant-settings';
import type { UnitOfWork } from '../unit-of-work';

/** What one batch did: rows changed (its count in the run), and whether the rule may have more to do. */
export interface BatchResult {
  done: number;
  more: boolean;
}

/** A rule's part in one run: batches until none has more, then `finish` once all got through. */
export interface RulePass {
  /** Changes a bounded number of rows in the caller's transaction. */
  batch(uow: UnitOfWork): Promise<BatchResult>;
  /** Runs in its own transaction after the last batch, only when the run was not cut short. */
  finish?(uow: UnitOfWork): Promise<void>;
}

export interface RetentionInput {
  /** The run's "now": every cutoff is measured back from it (a retried job keeps the same one). */
  asOf: Date;
  /** The tenant's settings with platform defaults filled in (the platform defaults for the platform part). */
  settings: Required<TenantSettings>;
  /** At most this many rows per batch (RETENTION_BATCH_SIZE). */
  limit: number;
}

/**
 * One retention rule, supplied by the lib that owns the table it ages out and registered with
 * `@RegisterRetentionRule()`. The runner (libs/audit/src/retention) applies every registered rule of a
 * scope, in `order`, batch by batch, each batch in its own transaction that also counts it in the
 * run's record; it knows no table itself.
 */
export interface RetentionRule {
  /** The key of its count in retention_runs.counts and the `rule` label of credence_retention_rows_total. Unique per scope. */
  readonly name: string;
  /** `tenant`: in each retained tenant's schema (search_path set); `platform`: once per run on the platform schema. */
  readonly scope: 'tenant' | 'platform';
  /** Position in a run, lowest first; unique per scope (docs/retention.md lists them). */
  readonly order: number;
  /** Batches of this rule must not run concurrently for one tenant, or for the platform (an advisory lock is taken). */
  readonly exclusive?: boolean;
  /** Batches may run side by side (RETENTION_PARALLEL_BATCHES): the rule's batches skip each other's rows. Tenant scope only. */
  readonly parallel?: boolean;
  start(input: RetentionInput): RulePass;
}

/** Marks a provider as a retention rule; the runner finds every one at boot (and refuses to start on a clash). */
export const RegisterRetentionRule = DiscoveryService.createDecorator<void>();

/** A pass of batches that need no memory between them: more is left while a batch is full. */
export function eachBatch(limit: number, batch: (uow: UnitOfWork) => Promise<number>): RulePass {
  return {
    batch: async (uow) => {
      const done = await batch(uow);
      return { done, more: done >= limit };
    },
  };
}

const DAY_MS = 86_400_000;

/** asOf minus whole days of 86,400 s: no calendar or time-zone arithmetic, so a boundary is exact to the millisecond. */
export function cutoff(asOf: Date, days: number): Date {
  return new Date(asOf.getTime() - days * DAY_MS);
}

/** Deletes up to $2 rows of `table` (key `key`) matching `where` ($1 = the cutoff), skipping rows others hold; selects the count as `n`. */
export function purgeStatement(table: string, key: string, where: string): string {
  return `WITH gone AS (
    DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT $2 FOR UPDATE SKIP LOCKED)
    RETURNING 1)
  SELECT count(*)::int AS n FROM gone`;
}

/** Runs a statement that selects a count as `n`; resolves to it (0 when there is no row). */
export async function countOf(uow: UnitOfWork, sql: string, params: unknown[]): Promise<number> {
  const [row] = await uow.query<{ n: number }[]>(sql, params);
  return row?.n ?? 0;
}
