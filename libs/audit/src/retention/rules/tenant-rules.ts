import type { UnitOfWork } from '@credence/tenancy';
import { TENANT_TRAIL, TrailTables } from '../../trail/trail-tables';
import { SessionAnonymisation } from './anonymise-sessions';
import { eachBatch, RulePass } from './rule-pass';

/** The tenant's retention settings that the rules read (platform defaults filled in). */
export interface RetentionPolicy {
  session_anonymize_after_days: number;
  session_delete_after_days: number;
  audit_retention_days: number;
}

export interface BatchInput {
  /** The run's "now": every cutoff is measured back from it (a retried job keeps the same one). */
  asOf: Date;
  policy: RetentionPolicy;
  limit: number;
}

/** One retention rule: a pass per tenant run, whose batches change at most `limit` rows each. */
export interface TenantRule {
  /** The key of its count in retention_runs.counts and the `rule` label of credence_retention_rows_total. */
  name: string;
  start(input: BatchInput): RulePass;
  /** Batches of this rule must not run concurrently for one tenant (an advisory lock is taken). */
  exclusive?: boolean;
  /** Batches may run side by side (RETENTION_PARALLEL_BATCHES): the rule's batches skip each other's rows. */
  parallel?: boolean;
}

const DAY_MS = 86_400_000;

/** asOf minus whole days of 86,400 s: no calendar or time-zone arithmetic, so a boundary is exact to the millisecond. */
export function cutoff(asOf: Date, days: number): Date {
  return new Date(asOf.getTime() - days * DAY_MS);
}

async function count(uow: UnitOfWork, sql: string, params: unknown[]): Promise<number> {
  const [row] = await uow.query<{ n: number }[]>(sql, params);
  return row?.n ?? 0;
}

/** Deletes up to `limit` rows of `table` (key `key`) matching `where` ($1 = the cutoff), skipping rows others hold. */
function purge(table: string, key: string, where: string) {
  return `WITH gone AS (
    DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT $2 FOR UPDATE SKIP LOCKED)
    RETURNING 1)
  SELECT count(*)::int AS n FROM gone`;
}

const DELETE_SESSIONS = purge('auth_sessions', 'id', 'last_seen_at < $1');
const PURGE_OTP = purge('otp_codes', 'id', 'expires_at < $1');
const PURGE_REFRESH = purge('refresh_tokens', 'id', 'expires_at < $1');
const PURGE_REVOCATIONS = purge('revoked_access_tokens', 'jti', 'expires_at < $1');
const PURGE_TOMBSTONES = purge('revoked_session_tombstones', 'session_id', 'keep_until < $1');

/**
 * Deletes one batch of the chain's oldest rows, up to the first one that has not expired: only a
 * prefix is ever removed, so what remains is one unbroken chain that starts after the newest
 * checkpoint, which is written in the same transaction (seq and hash of the last row deleted).
 */
export async function deleteExpiredAuditPrefix(uow: UnitOfWork, t: TrailTables, before: Date, limit: number): Promise<number> {
  const [prefix] = await uow.query<{ last_seq: string | null; n: number }[]>(
    `WITH head AS (SELECT seq, occurred_at < $1 AS expired FROM ${t.log} ORDER BY seq LIMIT $2),
          stop AS (SELECT min(seq) AS seq FROM head WHERE NOT expired)
     SELECT max(seq)::text AS last_seq, count(*)::int AS n FROM head
      WHERE seq < COALESCE((SELECT seq FROM stop), 9223372036854775807)`,
    [before, limit],
  );
  if (!prefix?.last_seq || !prefix.n) return 0;
  // The append-only trigger lets this transaction (and only it) delete.
  await uow.query(`SELECT set_config('credence.audit_maintenance', 'on', true)`);
  await uow.query(`INSERT INTO ${t.checkpoints} (seq, hash, rows_deleted) SELECT seq, hash, $2 FROM ${t.log} WHERE seq = $1`, [prefix.last_seq, prefix.n]);
  return count(uow, `WITH gone AS (DELETE FROM ${t.log} WHERE seq <= $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`, [prefix.last_seq]);
}

/**
 * A tenant's rules in the order a run applies them. Sessions past the deletion age are deleted
 * before anonymisation runs, so no session is anonymised only to be deleted in the same run.
 */
export const TENANT_RULES: readonly TenantRule[] = [
  {
    name: 'sessions_deleted',
    start: (i) => eachBatch(i.limit, (uow) => count(uow, DELETE_SESSIONS, [cutoff(i.asOf, i.policy.session_delete_after_days), i.limit])),
    parallel: true,
  },
  { name: 'sessions_anonymised', start: (i) => new SessionAnonymisation(cutoff(i.asOf, i.policy.session_anonymize_after_days), i.limit), parallel: true },
  {
    name: 'audit_rows_deleted',
    start: (i) => eachBatch(i.limit, (uow) => deleteExpiredAuditPrefix(uow, TENANT_TRAIL, cutoff(i.asOf, i.policy.audit_retention_days), i.limit)),
    exclusive: true,
  },
  { name: 'otp_codes_purged', start: (i) => eachBatch(i.limit, (uow) => count(uow, PURGE_OTP, [i.asOf, i.limit])) },
  { name: 'refresh_tokens_purged', start: (i) => eachBatch(i.limit, (uow) => count(uow, PURGE_REFRESH, [i.asOf, i.limit])) },
  { name: 'revocations_purged', start: (i) => eachBatch(i.limit, (uow) => count(uow, PURGE_REVOCATIONS, [i.asOf, i.limit])) },
  { name: 'session_tombstones_purged', start: (i) => eachBatch(i.limit, (uow) => count(uow, PURGE_TOMBSTONES, [i.asOf, i.limit])) },
];
