import { Injectable } from '@nestjs/common';
import {
  countOf,
  cutoff,
  DEFAULT_TENANT_SETTINGS,
  eachBatch,
  RegisterRetentionRule,
  RetentionInput,
  RetentionRule,
  RulePass,
  TenantSettings,
  UnitOfWork,
} from '@credence/tenancy';
import { PLATFORM_TRAIL, TENANT_TRAIL, TrailTables } from '../../trail/trail-tables';

/** The audit retention a run applies: the tenant's, never below the platform's floor of 365 days, whatever was stored. */
export function auditRetentionDays(settings: Required<TenantSettings>): number {
  return Math.max(365, settings.audit_retention_days);
}

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
  return countOf(uow, `WITH gone AS (DELETE FROM ${t.log} WHERE seq <= $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`, [prefix.last_seq]);
}

/** A tenant's trail: the rows past its audit_retention_days, oldest first, one batch at a time. */
@Injectable()
@RegisterRetentionRule()
export class TenantAuditTrailRetention implements RetentionRule {
  readonly name = 'audit_rows_deleted';
  readonly scope = 'tenant';
  readonly order = 30;
  readonly exclusive = true;

  start(i: RetentionInput): RulePass {
    return eachBatch(i.limit, (uow) => deleteExpiredAuditPrefix(uow, TENANT_TRAIL, cutoff(i.asOf, auditRetentionDays(i.settings)), i.limit));
  }
}

/** The platform trail (platform API keys, tenant lifecycle): the same prefix deletion, at the platform default. */
@Injectable()
@RegisterRetentionRule()
export class PlatformAuditTrailRetention implements RetentionRule {
  readonly name = 'audit_rows_deleted';
  readonly scope = 'platform';
  readonly order = 40;
  readonly exclusive = true;

  start(i: RetentionInput): RulePass {
    return eachBatch(i.limit, (uow) => deleteExpiredAuditPrefix(uow, PLATFORM_TRAIL, cutoff(i.asOf, DEFAULT_TENANT_SETTINGS.audit_retention_days), i.limit));
  }
}
